import { Redis } from 'ioredis';
import { ensureKafka } from '../support/spare-services';
import { recreateDatabase } from '../support/throwaway-database';
import { testInfra } from './test-infra';

/**
 * Before integration and e2e tests: a fresh test database with every migration applied, Redis
 * reachable, and a Kafka broker (started by the project's script when none listens).
 */
export default async function globalSetup(globalConfig: { selectProjects?: string[] }): Promise<void> {
  const projects = globalConfig.selectProjects;
  if (projects && projects.every((p) => p === 'unit')) return;

  // The guard: a database whose name lacks "test" is refused, never dropped.
  await recreateDatabase(testInfra.databaseUrl, /test/i);

  const redis = new Redis(testInfra.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.flushdb();
  redis.disconnect();

  const started = await ensureKafka(testInfra.kafkaBrokers);
  if (started) (globalThis as { __kafkaStartedByTests?: string }).__kafkaStartedByTests = started;
}
