import { ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { AppException } from '../errors/app.exception';
import { inspectRawInput } from './raw-input';
import { validationOptions } from './validation-options';

/**
 * The global pipe: the raw input is checked first for what transformation would hide (keys such
 * as `constructor` or `toString`, which it drops) or could not survive (nesting deep enough to
 * exhaust the stack), then transformed and validated against the DTO.
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super(validationOptions);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A DTO may recognise input that is plainly valid (a hot path's usual body); anything else is validated in full.
    const plainlyValid = (metadata.metatype as { isPlainlyValid?: (body: unknown) => boolean } | undefined)?.isPlainlyValid;
    if (metadata.type === 'body' && plainlyValid?.(value)) return value;
    if (metadata.type !== 'custom' && typeof value === 'object' && value !== null) {
      const problems = inspectRawInput(value);
      if (problems.length) throw AppException.validation(problems);
    }
    return super.transform(value, metadata);
  }
}
