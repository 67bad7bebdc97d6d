import { Redis } from 'ioredis';

/**
 * The one ioredis client of the process (cache and rate limiter share it). Configured to fail fast:
 * no offline queue (a command while disconnected fails at once instead of waiting ~10 s for the
 * reconnect), a per-command timeout in tens of milliseconds and one retry at most. Reconnects keep
 * going in the background with a capped backoff.
 */
export function createRedisClient(url: string, commandTimeoutMs: number): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    lazyConnect: false,
    // Commands issued in the same tick (concurrent requests, a use case's parallel reads) go out
    // as one pipeline: one write and one read per batch instead of per command.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
    // Keys are namespaced by the cache itself; nothing else shares this client.
    connectionName: 'graph-service',
  });
}
