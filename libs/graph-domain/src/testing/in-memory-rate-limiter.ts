import { RateLimitDecision, RateLimiter } from '../ports/rate-limiter';

/** Fixed-window limiter with a hand-driven clock, for unit tests of the use cases. */
export class InMemoryRateLimiter extends RateLimiter {
  nowMs = 0;
  readonly calls: string[] = [];
  private readonly windows = new Map<string, { count: number; resetAtMs: number }>();

  async consume(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision> {
    this.calls.push(key);
    let window = this.windows.get(key);
    if (!window || window.resetAtMs <= this.nowMs) {
      window = { count: 0, resetAtMs: this.nowMs + windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return { allowed: window.count <= limit, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAtMs - this.nowMs) / 1000)) };
  }
}
