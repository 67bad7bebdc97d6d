import { Cluster, Redis } from 'ioredis';
import { createRedisClient, createRedisClusterClient } from '../../libs/graph-infrastructure/src/redis/redis-client';

/** The service's kind of Redis client (fail-fast settings), connected; errors are the test's to see. */
export async function connectRedis(url: string, timeoutMs = 50): Promise<Redis> {
  const redis = createRedisClient(url, timeoutMs);
  redis.on('error', () => undefined);
  await new Promise((resolve) => redis.once('ready', resolve));
  return redis;
}

/** The service's kind of Redis Cluster client, connected to `nodes` (host:port,…). */
export async function connectRedisCluster(nodes: string, timeoutMs = 200): Promise<Cluster> {
  const cluster = createRedisClusterClient(
    nodes.split(',').map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })),
    timeoutMs,
  );
  cluster.on('error', () => undefined);
  await new Promise((resolve) => cluster.once('ready', resolve));
  return cluster;
}
