import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ERROR_STATUS, ErrorCode } from '../errors/error-codes';
import { ErrorResponseDto } from './envelope.dto';

/** Errors every JSON body can meet before a handler sees it. */
export const BODY_ERRORS: readonly ErrorCode[] = ['VALIDATION_FAILED', 'MALFORMED_JSON', 'JSON_TOO_DEEP', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

/** Errors of any route that needs a token. */
export const AUTH_ERRORS: readonly ErrorCode[] = ['TOKEN_MISSING', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'RATE_LIMITED'];

/** Errors any route can answer: what the HTTP edge refuses, an internal fault, a database that does not answer. */
export const SERVER_ERRORS: readonly ErrorCode[] = ['URI_TOO_LONG', 'HEADERS_TOO_LARGE', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE'];

const EXAMPLE_NOTES: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'Validation failed',
  TOKEN_MISSING: 'Authorization header missing',
  FORBIDDEN: 'This token may not do that',
  TASK_NOT_FOUND: 'Task not found',
  RATE_LIMITED: 'Too many requests',
};

/** The codes grouped by the HTTP status each maps to, in status order. */
export function codesByStatus(codes: readonly ErrorCode[]): Map<number, ErrorCode[]> {
  const groups = new Map<number, ErrorCode[]>();
  for (const code of [...new Set(codes)]) {
    const status = ERROR_STATUS[code] as number;
    groups.set(status, [...(groups.get(status) ?? []), code]);
  }
  return new Map([...groups].sort(([a], [b]) => a - b));
}

/** One error response of the OpenAPI document: the shared envelope, `error` narrowed to `codes` (all of one status). */
export function errorResponseObject(status: number, codes: readonly ErrorCode[]): ResponseObject {
  const first = codes[0];
  const example: Record<string, unknown> = {
    ecode: status,
    enote: EXAMPLE_NOTES[first] ?? first,
    error: first,
    request_id: '0b6f7d4e-2b1c-4c4e-9a59-0d1b8e0f6a11',
  };
  if (first === 'VALIDATION_FAILED') example.errors = [{ field: 'task_name', message: 'task_name should not be empty' }];
  return {
    description: `Error: ${codes.map((c) => `\`${c}\``).join(', ')}`,
    content: {
      'application/json': {
        schema: {
          allOf: [
            { $ref: getSchemaPath(ErrorResponseDto) },
            { type: 'object', properties: { ecode: { type: 'integer', enum: [status] }, error: { type: 'string', enum: [...codes] } } },
          ],
        },
        example,
      },
    },
  };
}

/**
 * Documents the errors a route can answer besides the ones every authenticated route has (those
 * are added to the document as a whole): `@ApiErrors('TASK_NOT_FOUND', 'TASK_ACTIVE')`.
 */
export const ApiErrors = (...codes: (ErrorCode | readonly ErrorCode[])[]) => {
  const flat = codes.flat();
  return applyDecorators(
    ApiExtraModels(ErrorResponseDto),
    ...[...codesByStatus(flat)].map(([status, group]) => {
      const { description, content } = errorResponseObject(status, group);
      const media = content!['application/json'];
      return ApiResponse({ status, description, schema: media.schema as never, example: media.example as unknown });
    }),
  );
};
