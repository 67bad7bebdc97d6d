import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { GraphErrorCode } from '@graph/domain';
import { ErrorResponseDto } from '../errors/error-response.dto';
import { FRAMEWORK_ERRORS, FrameworkErrorCode } from '../errors/framework-errors';
import { HTTP_STATUS_BY_CODE } from '../errors/http-error.filter';

/** Every code an HTTP answer can carry (HttpErrorFilter). */
export type DocumentedErrorCode = GraphErrorCode | FrameworkErrorCode;

interface ErrorCase {
  /** When the code is sent, for the response's description. */
  when: string;
  /** The message as the service writes it, for the example. */
  message: string;
  details?: Record<string, unknown>;
}

/** One example per code, in the words the service uses (graph.errors.ts, token-verifier.ts, framework-errors.ts). */
const ERROR_CASES: Record<DocumentedErrorCode, ErrorCase> = {
  VALIDATION_FAILED: { when: 'a query or body field is missing, malformed or unknown', message: 'property sort should not exist', details: { field: 'sort' } },
  INVALID_USER_ID: {
    when: 'an id is not a positive 64-bit integer',
    message: 'userId must be a user id: a positive 64-bit integer given as a decimal string or JSON integer',
    details: { field: 'userId' },
  },
  INVALID_CURSOR: { when: 'the cursor was tampered with or belongs to another list', message: 'cursor is not one this list handed out', details: { field: 'cursor' } },
  TOO_MANY_IDS: { when: 'more ids than allowed', message: 'ids may hold at most 100 ids', details: { field: 'ids' } },
  INVALID_EDGE_LIST: { when: 'a line is not "follower following"', message: 'line 3: expected two user ids; nothing was imported', details: { line: 3 } },
  SELF_FOLLOW: { when: 'following yourself', message: 'you cannot follow yourself' },
  SELF_BLOCK: { when: 'blocking yourself', message: 'you cannot block yourself' },
  SELF_MUTE: { when: 'muting yourself', message: 'you cannot mute yourself' },
  SELF_DISMISS: { when: 'dismissing yourself as a suggestion', message: 'you are never suggested to yourself' },
  UNAUTHORIZED: { when: 'the bearer token is missing, invalid or expired', message: 'token expired' },
  BLOCKED: { when: 'a block exists either way', message: 'a block between these accounts prevents this' },
  PRIVATE_ACCOUNT: { when: 'the account is private and the caller is not an accepted follower', message: 'this account is private: only its accepted followers can see this' },
  LIST_HIDDEN: { when: "the account's followers_visibility / following_visibility keeps this list from you", message: 'this account does not show this list to you' },
  FOLLOW_LIMIT_REACHED: {
    when: 'you already follow or have asked to follow as many accounts as the following cap allows',
    message: 'you follow or have asked to follow as many accounts as the following cap allows; unfollow some or cancel requests first',
  },
  FORBIDDEN: { when: 'the token lacks the admin role', message: 'this needs the admin role' },
  REQUEST_NOT_FOUND: { when: 'no pending follow request from this user', message: 'there is no pending follow request from this user' },
  NOT_FOUND: { when: 'no such job or event on this instance', message: 'no import job 00000000-0000-4000-8000-000000000000 on this instance' },
  RATE_LIMITED: { when: 'over the follow rate limit (see Retry-After)', message: 'too many follow calls; retry in 12 s', details: { retry_after_seconds: 12 } },
  INTERNAL: { when: 'an unexpected failure (logged with the request id; no detail in the body)', message: 'internal error' },
  UNAVAILABLE: { when: 'PostgreSQL (or the token key set) is unreachable; retry after Retry-After', message: 'the database is unavailable; retry shortly' },
  MALFORMED_REQUEST: { when: 'the request is not valid HTTP', message: FRAMEWORK_ERRORS.MALFORMED_REQUEST.message },
  INVALID_URL: { when: 'the URL is not validly percent-encoded', message: FRAMEWORK_ERRORS.INVALID_URL.message },
  INVALID_JSON: { when: 'the body is not valid JSON', message: FRAMEWORK_ERRORS.INVALID_JSON.message },
  JSON_TOO_DEEP: { when: 'the JSON nests too deep', message: FRAMEWORK_ERRORS.JSON_TOO_DEEP.message },
  REQUEST_TIMEOUT: { when: 'the request took too long to arrive', message: FRAMEWORK_ERRORS.REQUEST_TIMEOUT.message },
  PAYLOAD_TOO_LARGE: { when: 'the body is larger than allowed', message: FRAMEWORK_ERRORS.PAYLOAD_TOO_LARGE.message },
  URI_TOO_LONG: { when: 'the URL is too long', message: FRAMEWORK_ERRORS.URI_TOO_LONG.message },
  UNSUPPORTED_MEDIA_TYPE: { when: 'the body is not application/json', message: FRAMEWORK_ERRORS.UNSUPPORTED_MEDIA_TYPE.message },
  HEADERS_TOO_LARGE: { when: 'the headers are too large', message: FRAMEWORK_ERRORS.HEADERS_TOO_LARGE.message },
};

const EXAMPLE_REQUEST_ID = '9f1c1f0e-3c1e-4d4b-a1e8-0a7f4f3b7c11';

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } };

function statusOf(code: DocumentedErrorCode): number {
  return code in FRAMEWORK_ERRORS ? FRAMEWORK_ERRORS[code as FrameworkErrorCode].status : HTTP_STATUS_BY_CODE[code as GraphErrorCode];
}

/**
 * The error answers of a route (or of every route of a controller), in the one ErrorResponse
 * shape: one response per status, its description naming each code and when it is sent, and one
 * example per code. One call per route and per controller: a second call's status replaces the
 * first's (a route's own statuses replace its controller's).
 */
export function ApiErrors(...codes: DocumentedErrorCode[]): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, DocumentedErrorCode[]>();
  for (const code of new Set(codes)) byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  return applyDecorators(
    ...[...byStatus].map(([status, group]) =>
      ApiResponse({
        status,
        type: ErrorResponseDto,
        description: group.map((code) => `\`${code}\`: ${ERROR_CASES[code].when}`).join('; '),
        ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
        examples: Object.fromEntries(
          group.map((code) => {
            const { message, details } = ERROR_CASES[code];
            return [code, { summary: code, value: { error: { code, message, request_id: EXAMPLE_REQUEST_ID, ...(details ? { details } : {}) } } }];
          }),
        ),
      }),
    ),
  );
}

/** What any route may answer whatever it does: an unexpected failure, PostgreSQL unreachable. */
const SERVER_ERRORS: DocumentedErrorCode[] = ['INTERNAL', 'UNAVAILABLE'];

/** On a controller: signed-in routes (bearer token), and the errors every one of them can answer. */
export function ApiSignedIn(...alsoOnEveryRoute: DocumentedErrorCode[]): ClassDecorator {
  return applyDecorators(ApiBearerAuth('bearer'), ApiErrors('UNAUTHORIZED', ...alsoOnEveryRoute, ...SERVER_ERRORS));
}

/** On a controller whose routes need no token (health, metrics): no security requirement. */
export function ApiPublic(): ClassDecorator {
  // An empty requirement object is OpenAPI's "no authentication", overriding the document's bearer default.
  return applyDecorators(ApiSecurity({}), ApiErrors('INTERNAL'));
}

/** A user-id path parameter (see UserIdPipe; INVALID_USER_ID otherwise). */
export function ApiUserIdParam(name = 'userId', description = 'User id: a positive 64-bit integer as a decimal string'): MethodDecorator {
  return ApiParam({ name, description, example: '42', schema: { type: 'string', pattern: '^[1-9][0-9]{0,18}$' } });
}

/** The errors a JSON body can meet at the HTTP edge, before any validation of its fields. */
export const JSON_BODY_ERRORS: DocumentedErrorCode[] = ['VALIDATION_FAILED', 'INVALID_JSON', 'JSON_TOO_DEEP', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
