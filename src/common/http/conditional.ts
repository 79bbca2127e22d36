import type { FastifyReply } from 'fastify';
import { etagMatches } from './etag';

/**
 * Sets the answer's ETag and tells whether If-None-Match names it; when it does, the reply is made
 * a 304 and the caller returns no body.
 */
export function notModified(reply: FastifyReply, ifNoneMatch: string | undefined, etag: string): boolean {
  void reply.header('etag', etag);
  if (!etagMatches(ifNoneMatch, etag)) return false;
  void reply.status(304);
  return true;
}
