import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Socket } from 'node:net';
import { HttpException } from '@nestjs/common';

/**
 * Errors raised by the HTTP machinery rather than the domain (Node's parser, the router, the body
 * parser), each with a stable code, a status and our own message: the framework's message is never
 * passed on (fastify's echoes the URL, Node's names parser states).
 */
export const FRAMEWORK_ERRORS = {
  MALFORMED_REQUEST: { status: 400, message: 'the request is not valid HTTP' },
  INVALID_URL: { status: 400, message: 'the URL is not validly percent-encoded' },
  INVALID_JSON: { status: 400, message: 'the body is not valid JSON' },
  JSON_TOO_DEEP: { status: 400, message: 'the body nests deeper than allowed' },
  REQUEST_TIMEOUT: { status: 408, message: 'the request took too long to arrive' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'the body is larger than allowed' },
  URI_TOO_LONG: { status: 414, message: 'the URL is longer than allowed' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'a body must be application/json (identity encoding)' },
  HEADERS_TOO_LARGE: { status: 431, message: 'the request headers are larger than allowed' },
} as const satisfies Record<string, { status: number; message: string }>;

export type FrameworkErrorCode = keyof typeof FRAMEWORK_ERRORS;

/** Thrown by the service's own HTTP edge (URL gate, JSON body parser) before any route runs. */
export class HttpEdgeError extends Error {
  constructor(
    readonly code: FrameworkErrorCode,
    message: string = FRAMEWORK_ERRORS[code].message,
  ) {
    super(message);
    this.name = 'HttpEdgeError';
  }
}

/** A fastify error code or a status from a framework error → our code (first match wins). */
const CODE_BY_FASTIFY_CODE: Record<string, FrameworkErrorCode> = {
  FST_ERR_BAD_URL: 'INVALID_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
};
const CODE_BY_FRAMEWORK_STATUS: Record<number, FrameworkErrorCode> = {
  400: 'MALFORMED_REQUEST',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
};

export interface FrameworkErrorAnswer {
  status: number;
  code: FrameworkErrorCode;
  message: string;
}

/**
 * The answer for an error the framework raised before a handler ran, or null when `exception` is
 * not one (a domain error, or an HttpException of the service's own). Nest wraps fastify's
 * `FST_ERR_*` and express's http-errors / URIError into an HttpException whose cause is the
 * original; fastify's router errors (`frameworkErrors`) come unwrapped.
 */
export function frameworkErrorOf(exception: unknown): FrameworkErrorAnswer | null {
  if (exception instanceof HttpEdgeError) return { status: FRAMEWORK_ERRORS[exception.code].status, code: exception.code, message: exception.message };
  const wrapped = exception instanceof HttpException;
  const source = (wrapped ? exception.cause : exception) as { code?: unknown; statusCode?: unknown } | undefined;
  if (source === undefined || source === null || (!wrapped && !(typeof source.code === 'string' && source.code.startsWith('FST_ERR_')))) return null;
  const status = wrapped ? exception.getStatus() : Number(source.statusCode);
  const code =
    (typeof source.code === 'string' ? CODE_BY_FASTIFY_CODE[source.code] : undefined) ??
    (source instanceof URIError ? 'INVALID_URL' : source instanceof SyntaxError ? 'INVALID_JSON' : undefined) ??
    CODE_BY_FRAMEWORK_STATUS[status];
  return code ? { status: FRAMEWORK_ERRORS[code].status, code, message: FRAMEWORK_ERRORS[code].message } : null;
}

/** The documented error body. */
export function errorJson(code: string, message: string, requestId: string): string {
  return JSON.stringify({ error: { code, message, request_id: requestId } });
}

/** Node's HTTP parser error codes → our answer; anything else it reports is a malformed request. */
const CODE_BY_PARSER_ERROR: Record<string, FrameworkErrorCode> = {
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
};

/**
 * The server's `clientError` listener (both adapters): Node's parser refused the request (headers
 * over the size limit, a bad header name, not HTTP at all) before any framework saw it. Answers in
 * the documented shape when the socket can still take an answer, then closes it: after a parse
 * error nothing more on that connection can be trusted.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const code = CODE_BY_PARSER_ERROR[error.code ?? ''] ?? 'MALFORMED_REQUEST';
  const { status, message } = FRAMEWORK_ERRORS[code];
  const requestId = randomUUID();
  const body = errorJson(code, message, requestId);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `X-Request-Id: ${requestId}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
