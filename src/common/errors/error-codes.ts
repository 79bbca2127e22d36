import { HttpStatus } from '@nestjs/common';

/**
 * Stable, machine-readable error codes. Each is also the i18n key `errors.<CODE>`,
 * and maps to exactly one HTTP status (which is also the response's `ecode`).
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  MALFORMED_JSON: HttpStatus.BAD_REQUEST,
  BAD_REQUEST: HttpStatus.BAD_REQUEST,
  JSON_TOO_DEEP: HttpStatus.BAD_REQUEST,
  EVENT_WINDOW_INVALID: HttpStatus.BAD_REQUEST,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  TOKEN_MISSING: HttpStatus.UNAUTHORIZED,
  TOKEN_INVALID: HttpStatus.UNAUTHORIZED,
  TOKEN_EXPIRED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  ROUTE_NOT_FOUND: HttpStatus.NOT_FOUND,
  TASK_NOT_FOUND: HttpStatus.NOT_FOUND,
  SUBTASK_NOT_FOUND: HttpStatus.NOT_FOUND,
  DICT_ITEM_NOT_FOUND: HttpStatus.NOT_FOUND,
  METHOD_NOT_ALLOWED: HttpStatus.METHOD_NOT_ALLOWED,
  EVENT_CURSOR_EXPIRED: HttpStatus.GONE,
  REQUEST_TIMEOUT: HttpStatus.REQUEST_TIMEOUT,
  TASK_ACTIVE: HttpStatus.CONFLICT,
  TASK_NOT_DELETED: HttpStatus.CONFLICT,
  SUBTASK_ACTIVE: HttpStatus.CONFLICT,
  SUBTASKS_UNCONFIGURED: HttpStatus.CONFLICT,
  CONFIG_INCOMPLETE: HttpStatus.CONFLICT,
  DICT_ITEM_EXISTS: HttpStatus.CONFLICT,
  DICT_ITEM_IN_USE: HttpStatus.CONFLICT,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  URI_TOO_LONG: HttpStatus.URI_TOO_LONG,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  // 431 Request Header Fields Too Large, which Nest's HttpStatus does not name.
  HEADERS_TOO_LARGE: 431 as HttpStatus,
  INTERNAL_ERROR: HttpStatus.INTERNAL_SERVER_ERROR,
  SERVICE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
} as const satisfies Record<string, HttpStatus>;

export type ErrorCode = keyof typeof ERROR_STATUS;
