/** Query parameters whose values never reach a log line. */
const SECRET_PARAMS = /([?&](?:access_token)=)[^&#]*/gi;

/** The URL with secret query values replaced by `[REDACTED]`. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[REDACTED]');
}

/** pino-http's request serializer output, with the URL and parsed query redacted. */
export function redactRequest<T extends { url?: unknown; query?: unknown }>(req: T): T {
  if (typeof req.url === 'string') req.url = redactUrl(req.url);
  if (req.query && typeof req.query === 'object' && 'access_token' in req.query) req.query = { ...req.query, access_token: '[REDACTED]' };
  return req;
}
