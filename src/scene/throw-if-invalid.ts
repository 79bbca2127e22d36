import { AppException, FieldError } from '../common/errors/app.exception';

/**
 * Turns the configuration rules' findings into the answer: oversized XML is refused as 413 like an
 * oversized body; every other rule as 400. Shared by task creation/edit and subtask configuration.
 */
export function throwIfInvalid(errors: FieldError[]): void {
  if (errors.length === 0) return;
  const tooLarge = errors.filter((e) => e.rule === 'xmlTooLarge');
  if (tooLarge.length) throw new AppException('PAYLOAD_TOO_LARGE', {}, tooLarge);
  throw AppException.validation(errors);
}
