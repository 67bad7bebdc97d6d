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

/**
 * Counts the commands the client hands to Redis (every command, pipelined or scripted, goes
 * through `sendCommand`), calling through: Redis itself still answers. `sent(filter)` counts those
 * whose name and arguments pass `filter`; `restore()` removes the spy.
 */
export function countCommands(redis: Redis): { sent: (filter?: (name: string, args: unknown[]) => boolean) => number; reset: () => void; restore: () => void } {
  const sent: { name: string; args: unknown[] }[] = [];
  const original = redis.sendCommand.bind(redis);
  const spy = jest.spyOn(redis, 'sendCommand').mockImplementation((command, ...rest) => {
    sent.push({ name: command.name, args: command.args });
    return original(command, ...rest);
  });
  return {
    sent: (filter = () => true) => sent.filter((c) => filter(c.name, c.args)).length,
    reset: () => void sent.splice(0),
    restore: () => spy.mockRestore(),
  };
}
