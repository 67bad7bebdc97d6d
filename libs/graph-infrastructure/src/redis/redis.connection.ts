import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { InfrastructureOptions } from '../infrastructure.options';
import { ComponentHealth, DependencyProbe, withDeadline } from '../observability/dependency-health';
import { RedisClient, createRedisClient, createRedisClusterClient } from './redis-client';

/** The shared Redis client (one node or a cluster), or none when the service runs with its in-process cache. */
export class RedisConnection implements OnApplicationShutdown {
  private static readonly logger = new Logger('Redis');

  private constructor(
    readonly client: RedisClient | null,
    readonly mode: 'external' | 'cluster' | 'memory',
  ) {}

  /** Connects, waiting briefly for the first connection; a Redis that is down does not stop the boot. */
  static async open(options: InfrastructureOptions): Promise<RedisConnection> {
    const redis = options.redis;
    if (redis.mode === 'memory') {
      this.logger.log('redis: not configured, using the in-process cache and rate limiter');
      return new RedisConnection(null, 'memory');
    }
    const client =
      redis.mode === 'cluster' ? createRedisClusterClient(redis.nodes, redis.commandTimeoutMs) : createRedisClient(redis.url, redis.commandTimeoutMs);
    // Without a listener ioredis prints every failed reconnect; the probe and breaker report state.
    client.on('error', () => undefined);
    const where = redis.mode === 'cluster' ? `cluster via ${redis.nodes.map((n) => `${n.host}:${n.port}`).join(',')}` : `external (${new URL(redis.url).host})`;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2000);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (ready) this.logger.log(`redis: ${where}`);
    else this.logger.warn(`redis: ${where} is not answering yet; serving from Postgres until it does`);
    return new RedisConnection(client, redis.mode);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}

export class RedisProbe extends DependencyProbe {
  readonly name = 'redis';

  constructor(private readonly connection: RedisConnection) {
    super();
  }

  async check(): Promise<ComponentHealth> {
    const client = this.connection.client;
    const mode = this.connection.mode;
    if (!client) return { status: 'disabled', mode };
    try {
      await withDeadline(500, client.ping());
      return { status: 'up', mode };
    } catch (error) {
      return { status: 'down', mode, detail: (error as Error).message };
    }
  }
}
