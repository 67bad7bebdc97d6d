import { Cluster, Redis, RedisOptions } from 'ioredis';

/** The process's Redis client: one node, or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster;

/**
 * Fail fast: no offline queue (a command while disconnected fails at once instead of waiting
 * ~10 s for the reconnect), a per-command timeout in tens of milliseconds and one retry at most.
 */
function failFast(commandTimeoutMs: number): RedisOptions {
  return {
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    // Keys are namespaced by the cache itself; nothing else shares this client.
    connectionName: 'graph-service',
  };
}

/**
 * The one ioredis client of the process (cache and rate limiter share it). Reconnects keep going
 * in the background with a capped backoff.
 */
export function createRedisClient(url: string, commandTimeoutMs: number): Redis {
  return new Redis(url, {
    ...failFast(commandTimeoutMs),
    lazyConnect: false,
    // Commands issued in the same tick (concurrent requests, a use case's parallel reads) go out
    // as one pipeline: one write and one read per batch instead of per command.
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  });
}

/**
 * The same on a Redis Cluster: ioredis's Cluster client routes each command to its slot's master,
 * follows MOVED/ASK, and reloads the slot map after a failover. `nodes` are seeds: one live node
 * is enough to learn the rest.
 */
export function createRedisClusterClient(nodes: { host: string; port: number }[], commandTimeoutMs: number): Cluster {
  return new Cluster(nodes, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    // Reads and writes go to masters: a replica may lag behind an invalidation.
    scaleReads: 'master',
    // A failover: retry a command on the slot's new master shortly, a few times, not for seconds.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    maxRedirections: 6,
    slotsRefreshTimeout: 1000,
    slotsRefreshInterval: 2000,
    clusterRetryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
    redisOptions: failFast(commandTimeoutMs),
  });
}
