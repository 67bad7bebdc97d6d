import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GraphError, GraphErrorCode } from '@graph/domain';
import { frameworkErrorOf } from './framework-errors';

/** The one table from a domain error code to an HTTP status. */
export const HTTP_STATUS_BY_CODE: Record<GraphErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_USER_ID: 400,
  INVALID_CURSOR: 400,
  TOO_MANY_IDS: 400,
  INVALID_EDGE_LIST: 400,
  SELF_FOLLOW: 400,
  SELF_BLOCK: 400,
  SELF_MUTE: 400,
  SELF_DISMISS: 400,
  UNAUTHORIZED: 401,
  BLOCKED: 403,
  PRIVATE_ACCOUNT: 403,
  LIST_HIDDEN: 403,
  FOLLOW_LIMIT_REACHED: 403,
  FORBIDDEN: 403,
  REQUEST_NOT_FOUND: 404,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/** Codes for errors Nest itself raises before a handler runs (unknown route, oversized body...). */
const CODE_BY_HTTP_STATUS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** What an error's answer needs of the request. */
export interface ErrorRequest {
  headers: Record<string, unknown>;
  method?: string;
  url?: string;
}

export interface ErrorBody {
  error: { code: string; message: string; request_id: string; details?: Record<string, unknown> };
}

/**
 * Every HTTP error leaves in one shape: {"error": {"code", "message", "request_id"}}. A pure
 * translation: a domain error's code → its status (the adapters already turned driver failures
 * into UnavailableError), a Nest error's status → a code; anything else is 500 INTERNAL with no
 * stack or SQL in the body (it is logged instead).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const { status, body, headers } = this.answer(exception, http.getRequest<ErrorRequest>());
    const adapter = this.adapterHost.httpAdapter;
    const response = http.getResponse<unknown>();
    for (const [name, value] of Object.entries(headers)) adapter.setHeader(response, name, value);
    adapter.reply(response, body, status);
  }

  /** The error's answer to `request` (its request id in the body); a 5xx is logged with its stack. */
  answer(exception: unknown, request: ErrorRequest): { status: number; body: ErrorBody; headers: Record<string, string> } {
    const requestId = String(request.headers['x-request-id'] ?? '');
    const answer = this.translate(exception, requestId);
    if (answer.status >= 500) {
      this.logger.error(
        { msg: `${request.method} ${request.url} failed: ${(exception as Error)?.message ?? String(exception)}`, status: answer.status, request_id: requestId },
        (exception as Error)?.stack,
      );
    }
    return answer;
  }

  translate(exception: unknown, requestId: string): { status: number; body: ErrorBody; headers: Record<string, string> } {
    const headers: Record<string, string> = {};
    if (exception instanceof GraphError) {
      if (exception.code === 'RATE_LIMITED') headers['Retry-After'] = String(exception.details.retry_after_seconds ?? 1);
      if (exception.code === 'UNAVAILABLE') headers['Retry-After'] = '1';
      const details = Object.keys(exception.details).length > 0 ? exception.details : undefined;
      return {
        status: HTTP_STATUS_BY_CODE[exception.code],
        body: { error: { code: exception.code, message: exception.message, request_id: requestId, ...(details ? { details } : {}) } },
        headers,
      };
    }
    const framework = frameworkErrorOf(exception);
    if (framework) return { status: framework.status, body: { error: { code: framework.code, message: framework.message, request_id: requestId } }, headers };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODE_BY_HTTP_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
      const message = status >= 500 ? 'internal error' : this.messageOf(exception);
      return { status, body: { error: { code, message, request_id: requestId } }, headers };
    }
    return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error', request_id: requestId } }, headers };
  }

  private messageOf(exception: HttpException): string {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    return typeof message === 'string' ? message : exception.message;
  }
}
