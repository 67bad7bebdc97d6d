import { createHash } from 'node:crypto';
import { RedisClient } from './redis-client';

/**
 * A Lua script run by its SHA-1 (EVALSHA), sent whole (EVAL) only to a node that does not hold it
 * yet: after a restart, a failover, or on a cluster node seeing it first. Plain EVALSHA rather than
 * ioredis's defineCommand: its key count comes first and auto-pipelining on a cluster groups by the
 * keys EVALSHA declares, and there is no per-count command to define while a pipeline is open.
 */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: RedisClient, numberOfKeys: number, ...keysThenArgs: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, numberOfKeys, ...keysThenArgs);
    } catch (error) {
      if (!/^NOSCRIPT/.test((error as Error).message)) throw error;
      return redis.eval(this.source, numberOfKeys, ...keysThenArgs);
    }
  }
}
