import { SetMetadata } from '@nestjs/common';

export const ACCEPTS_QUERY_TOKEN = 'auth:queryToken';

/**
 * The route also takes its token as the `access_token` query parameter, for browsers' EventSource,
 * which cannot send headers. Only for such routes; the logs never show it (see redact-url.ts).
 */
export const AcceptsQueryToken = () => SetMetadata(ACCEPTS_QUERY_TOKEN, true);

/** The `access_token` query parameter, when there is exactly one. */
export function queryToken(query: unknown): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.access_token;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
