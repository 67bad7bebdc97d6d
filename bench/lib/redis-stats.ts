import { Redis } from 'ioredis';

/** used_memory from INFO memory, bytes. */
export async function redisUsedMemory(redis: Redis): Promise<number> {
  const text = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(text)?.[1] ?? Number.NaN);
}
