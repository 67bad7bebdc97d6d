import { Redis } from 'ioredis';
import { createRedisClient } from '../../libs/graph-infrastructure/src/redis/redis-client';

/** The service's kind of Redis client (fail-fast settings), connected; errors are the test's to see. */
export async function connectRedis(url: string, timeoutMs = 50): Promise<Redis> {
  const redis = createRedisClient(url, timeoutMs);
  redis.on('error', () => undefined);
  await new Promise((resolve) => redis.once('ready', resolve));
  return redis;
}
