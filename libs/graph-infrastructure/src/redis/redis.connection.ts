import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { InfrastructureOptions } from '../infrastructure.options';
import { ComponentHealth, DependencyProbe, withDeadline } from '../observability/dependency-health';
import { createRedisClient } from './redis-client';

/** The shared Redis client, or none when the service runs with its in-process cache. */
export class RedisConnection implements OnApplicationShutdown {
  private static readonly logger = new Logger('Redis');

  private constructor(readonly client: Redis | null) {}

  /** Connects, waiting briefly for the first connection; a Redis that is down does not stop the boot. */
  static async open(options: InfrastructureOptions): Promise<RedisConnection> {
    if (options.redis.mode === 'memory') {
      this.logger.log('redis: not configured, using the in-process cache and rate limiter');
      return new RedisConnection(null);
    }
    const client = createRedisClient(options.redis.url, options.redis.commandTimeoutMs);
    // Without a listener ioredis prints every failed reconnect; the probe and breaker report state.
    client.on('error', () => undefined);
    const host = new URL(options.redis.url).host;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2000);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (ready) this.logger.log(`redis: external (${host})`);
    else this.logger.warn(`redis: external (${host}) is not answering yet; serving from Postgres until it does`);
    return new RedisConnection(client);
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
    if (!client) return { status: 'disabled', mode: 'memory' };
    try {
      await withDeadline(500, client.ping());
      return { status: 'up', mode: 'external' };
    } catch (error) {
      return { status: 'down', mode: 'external', detail: (error as Error).message };
    }
  }
}
