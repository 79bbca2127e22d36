import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Language } from '../../config/app-config';
import { AppException } from '../errors/app.exception';
import type { ErrorCode } from '../errors/error-codes';
import type { ErrorResponder } from '../errors/error-response';
import { RAW_SECURITY_HEADERS } from './edge-headers';

/** Longest URL answered normally; longer ones get 414 (below Node's 16 KB for the request line and headers). */
export const MAX_URL_LENGTH = 8192;
/** Most header lines a request may carry (Apache's default); more get 431. */
export const MAX_HEADER_COUNT = 100;
/** How long a refused connection is kept reading after the answer, so the client gets it instead of a reset. */
const LINGER_MS = 2000;

/** Sockets whose request was answered before its body was in: they are draining it, not waiting for an answer. */
const answeredEarly = new WeakSet<Socket>();
const refused = new WeakSet<Socket>();

/**
 * An error was answered before the whole request body arrived (413, 415, 401 on a streamed
 * upload). Fastify marks such answers `Connection: close`; closing a socket the client is still
 * writing to resets the connection, and the client loses the answer it has not read yet. So the
 * connection stays open and the rest of the body is read and discarded (Node dumps it once the
 * answer is sent); the request timeout still bounds how long that may take.
 */
export function keepReadingAfterEarlyAnswer(request: FastifyRequest, reply: FastifyReply): void {
  if (reply.getHeader('connection') === 'close') reply.removeHeader('connection');
  if (request.raw.complete) return;
  answeredEarly.add(request.raw.socket);
  request.raw.resume();
}

/** An error of Node's HTTP server about a connection: `rawPacket` is the data it failed on, when it has it. */
export type ParserError = Error & { code?: string; rawPacket?: unknown };

/** What the HTTP parser's error means for the client, in the service's codes. */
export function clientErrorCode(error: ParserError): ErrorCode {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'REQUEST_TIMEOUT';
    case 'HPE_HEADER_OVERFLOW':
      return requestLineTooLong(Buffer.isBuffer(error.rawPacket) ? error.rawPacket : undefined) ? 'URI_TOO_LONG' : 'HEADERS_TOO_LARGE';
    default:
      return 'BAD_REQUEST';
  }
}

/** Whether the bytes the parser gave up on are a request line that never ended: then it is the URL that is too long. */
function requestLineTooLong(packet: Buffer | undefined): boolean {
  if (!packet?.length) return false;
  const head = packet.toString('latin1', 0, Math.min(packet.length, MAX_URL_LENGTH + 64));
  if (!/^[A-Z]{3,10} /.test(head)) return false;
  const end = head.indexOf('\n');
  return end === -1 || end > MAX_URL_LENGTH;
}

/**
 * Writes the standard error envelope for what Node's HTTP parser refused (oversized or too many
 * headers, a URL too long for it, garbage, a request not received in time), where no Fastify
 * request exists. Answered in the default language with a fresh request id, then the connection
 * is half-closed and read for a moment before it is destroyed.
 */
export function createClientErrorHandler(responder: () => ErrorResponder | undefined, defaultLanguage: Language) {
  return function onClientError(error: ParserError, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    // Further bytes on a refused connection make the parser fail again: answered once.
    if (refused.has(socket)) return;
    refused.add(socket);
    // A request already answered (a draining upload) gets no second answer, only the close.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (answeredEarly.has(socket) || inFlight?.headersSent || !socket.writable) {
      socket.destroy();
      return;
    }
    const code = clientErrorCode(error);
    const exception = new AppException(code);
    const id = randomUUID();
    const body = JSON.stringify(responder()?.build(exception, defaultLanguage, id) ?? { ecode: exception.status, enote: code, error: code, request_id: id });
    const headers = [
      `HTTP/1.1 ${exception.status} ${STATUS_TEXT[exception.status] ?? 'Bad Request'}`,
      'content-type: application/json; charset=utf-8',
      `content-length: ${Buffer.byteLength(body)}`,
      `x-request-id: ${id}`,
      ...Object.entries(RAW_SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}`),
      'connection: close',
    ];
    socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
    lingerThenDestroy(socket);
  };
}

function lingerThenDestroy(socket: Socket): void {
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // Read and drop whatever the client still sends, so closing does not reset the connection.
  socket.resume();
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

/**
 * Fastify's framework errors (a URL that is not valid %-encoding, a path parameter over its
 * length limit), which it raises before routing and so before any hook: the envelope, with the
 * security headers the hooks would have added. The path is never echoed back.
 */
export function createFrameworkErrorHandler(responder: () => ErrorResponder | undefined) {
  return function onFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    const code: ErrorCode = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'URI_TOO_LONG' : error.code === 'FST_ERR_BAD_URL' ? 'BAD_REQUEST' : 'INTERNAL_ERROR';
    void reply.headers(RAW_SECURITY_HEADERS).header('x-request-id', request.id);
    const errors = responder();
    if (errors) {
      errors.send(request, reply, new AppException(code));
      return;
    }
    void reply.status(new AppException(code).status).send({ ecode: new AppException(code).status, enote: code, error: code, request_id: request.id });
  };
}
