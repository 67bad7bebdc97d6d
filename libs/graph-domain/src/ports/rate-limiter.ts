export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the window resets (meaningful when not allowed). */
  retryAfterSeconds: number;
}

/**
 * Fixed-window counter per key. Implementations fail open: when their store is unreachable they
 * allow the call and report it (log and metric), since a rate limit is not worth an outage.
 */
export abstract class RateLimiter {
  abstract consume(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision>;
}
