/**
 * Domain errors with stable codes. The domain and the use cases throw only these; the HTTP filter
 * and the Kafka RPC filter are the two places that translate a code into a status or a reply.
 */
export type GraphErrorCode =
  | 'VALIDATION_FAILED'
  | 'INVALID_USER_ID'
  | 'INVALID_CURSOR'
  | 'TOO_MANY_IDS'
  | 'INVALID_EDGE_LIST'
  | 'SELF_FOLLOW'
  | 'SELF_BLOCK'
  | 'SELF_MUTE'
  | 'SELF_DISMISS'
  | 'BLOCKED'
  | 'PRIVATE_ACCOUNT'
  | 'LIST_HIDDEN'
  | 'FOLLOW_LIMIT_REACHED'
  | 'FORBIDDEN'
  | 'UNAUTHORIZED'
  | 'REQUEST_NOT_FOUND'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class GraphError extends Error {
  constructor(
    readonly code: GraphErrorCode,
    message: string,
    /** Extra facts a translator may expose (e.g. the offending field, retry delay). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: a malformed field, an out-of-range value. Nothing was written. */
export class ValidationError extends GraphError {
  constructor(message: string, field?: string, code: GraphErrorCode = 'VALIDATION_FAILED') {
    super(code, message, field ? { field } : {});
  }
}

export class InvalidUserIdError extends ValidationError {
  constructor(field: string) {
    super(`${field} must be a user id: a positive 64-bit integer given as a decimal string or JSON integer`, field, 'INVALID_USER_ID');
  }
}

export class InvalidCursorError extends ValidationError {
  constructor() {
    super('cursor is not one this list handed out', 'cursor', 'INVALID_CURSOR');
  }
}

export class TooManyIdsError extends ValidationError {
  constructor(field: string, max: number) {
    super(`${field} may hold at most ${max} ids`, field, 'TOO_MANY_IDS');
  }
}

export class SelfFollowError extends GraphError {
  constructor() {
    super('SELF_FOLLOW', 'you cannot follow yourself');
  }
}

export class SelfBlockError extends GraphError {
  constructor() {
    super('SELF_BLOCK', 'you cannot block yourself');
  }
}

export class SelfMuteError extends GraphError {
  constructor() {
    super('SELF_MUTE', 'you cannot mute yourself');
  }
}

export class SelfDismissError extends GraphError {
  constructor() {
    super('SELF_DISMISS', 'you are never suggested to yourself');
  }
}

export class BlockedError extends GraphError {
  constructor() {
    super('BLOCKED', 'a block between these accounts prevents this');
  }
}

export class PrivateAccountError extends GraphError {
  constructor() {
    super('PRIVATE_ACCOUNT', 'this account is private: only its accepted followers can see this');
  }
}

/** The follower already holds as many followings and requests as the following cap allows. */
export class FollowLimitReachedError extends GraphError {
  constructor() {
    super('FOLLOW_LIMIT_REACHED', 'you follow or have asked to follow as many accounts as the following cap allows; unfollow some or cancel requests first');
  }
}

/** The owner's followers_visibility / following_visibility keeps this list from the viewer. */
export class ListHiddenError extends GraphError {
  constructor() {
    super('LIST_HIDDEN', 'this account does not show this list to you');
  }
}

export class ForbiddenError extends GraphError {
  constructor(message = 'you may not do this') {
    super('FORBIDDEN', message);
  }
}

export class UnauthorizedError extends GraphError {
  constructor(message = 'a valid bearer token is required') {
    super('UNAUTHORIZED', message);
  }
}

export class RequestNotFoundError extends GraphError {
  constructor() {
    super('REQUEST_NOT_FOUND', 'there is no pending follow request from this user');
  }
}

export class RateLimitedError extends GraphError {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', `too many follow calls; retry in ${retryAfterSeconds} s`, { retry_after_seconds: retryAfterSeconds });
  }
}

/** A dependency the call needs (the database) is down; the caller may retry. */
export class UnavailableError extends GraphError {
  constructor(message = 'the service is temporarily unavailable') {
    super('UNAVAILABLE', message);
  }
}

/** An edge list (bulk import) with a line that is not "follower following"; nothing was imported. */
export class InvalidEdgeListError extends GraphError {
  constructor(line: number, problem: string) {
    super('INVALID_EDGE_LIST', `line ${line}: ${problem}; nothing was imported`, { line });
  }
}

/** The thing asked for (an admin job, ...) does not exist. */
export class NotFoundError extends GraphError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}
