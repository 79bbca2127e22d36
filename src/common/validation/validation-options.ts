import { ValidationError, ValidationPipeOptions } from '@nestjs/common';
import { AppException, FieldError } from '../errors/app.exception';

const joinPath = (parent: string, property: string): string =>
  /^\d+$/.test(property) ? `${parent}[${property}]` : parent ? `${parent}.${property}` : property;

/** class-validator's nested tree → flat `[{field: 'mtasks[0].scenes[1].name', rule}]`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const flat: FieldError[] = [];
  for (const error of errors) {
    const field = joinPath(parent, error.property);
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      const args = (error.contexts?.[rule] ?? {}) as Record<string, string | number>;
      flat.push({ field, rule, args, fallback: message });
    }
    if (error.children?.length) flat.push(...flattenValidationErrors(error.children, field));
  }
  return flat;
}

export const validationOptions: ValidationPipeOptions = {
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: true,
  validationError: { target: false, value: false },
  exceptionFactory: (errors: ValidationError[]) => AppException.validation(flattenValidationErrors(errors)),
};
