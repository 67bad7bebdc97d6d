import { RateLimitDecision, RateLimiter } from '@graph/domain';
import { MetricsRegistry } from '../observability/metrics.registry';
import { LuaScript } from './lua-script';
import { RedisClient } from './redis-client';

// INCR and set the window's expiry on the first hit, in one round trip; returns count and TTL.
const CONSUME = new LuaScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`);

/**
 * Fixed-window limiter counted in Redis (INCR with expiry, docs/api.md). One key per call, so on a
 * Redis Cluster the script runs on the key's own master (the Cluster client routes it and follows
 * MOVED). When Redis cannot answer it
 * lets the call through, logs it and counts it in `graph_rate_limiter_fail_open_total`.
 */
export class RedisRateLimiter extends RateLimiter {
  private readonly failOpen;

  constructor(
    private readonly redis: RedisClient,
    metrics: MetricsRegistry,
    private readonly warn: (message: string) => void,
  ) {
    super();
    this.failOpen = metrics.counter('graph_rate_limiter_fail_open_total', 'Calls let through because the rate limiter store was unreachable');
  }

  async consume(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision> {
    try {
      const [count, ttl] = (await CONSUME.run(this.redis, 1, `graph:ratelimit:${key}`, windowSeconds)) as [number, number];
      return { allowed: count <= limit, retryAfterSeconds: Math.max(1, ttl) };
    } catch (error) {
      this.failOpen.inc();
      this.warn(`rate limiter fails open, Redis did not answer: ${(error as Error).message}`);
      return { allowed: true, retryAfterSeconds: 0 };
    }
  }
}
