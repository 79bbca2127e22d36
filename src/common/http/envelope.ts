/** The payload of a response DTO: everything but the envelope. Services return these. */
export type Payload<T> = Omit<T, 'ecode' | 'enote'>;

/**
 * Every successful JSON answer is `{ecode: 200, enote: "OK", ...payload}`. Controllers wrap their
 * payload with this explicitly rather than through a global interceptor: any interceptor makes Nest
 * wrap every handler call in rxjs and AsyncResource.bind, per request.
 */
export function ok<T extends object>(payload: T): T & { ecode: 200; enote: 'OK' } {
  return { ecode: 200, enote: 'OK', ...payload };
}
