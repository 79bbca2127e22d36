import { ERROR_STATUS, ErrorCode } from './error-codes';

/** One failed rule on one field; `rule` is the i18n key `validation.<rule>`. */
export interface FieldError {
  field: string;
  rule: string;
  args?: Record<string, string | number>;
  /** English text used when no translation exists for `rule`. */
  fallback?: string;
}

/** The one exception type domain code throws: a code (= i18n key), its HTTP status, and details. */
export class AppException extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    readonly args: Record<string, string | number> = {},
    readonly fieldErrors: FieldError[] = [],
    /** Extra payload beside ecode/enote, e.g. the list of unconfigured subtasks. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(code);
    this.status = ERROR_STATUS[code];
  }

  static validation(errors: FieldError[]): AppException {
    return new AppException('VALIDATION_FAILED', { count: errors.length }, errors);
  }
}
