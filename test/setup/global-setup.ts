import { Client } from 'pg';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { GRAPH_MIGRATIONS } from '../../migrations';
import { ensureKafka } from '../support/spare-services';
import { assertTestDatabase, testInfra } from './test-infra';

/**
 * Before integration and e2e tests: a fresh test database with every migration applied, Redis
 * reachable, and a Kafka broker (started by the project's script when none listens).
 */
export default async function globalSetup(globalConfig: { selectProjects?: string[] }): Promise<void> {
  const projects = globalConfig.selectProjects;
  if (projects && projects.every((p) => p === 'unit')) return;

  const name = assertTestDatabase(testInfra.databaseUrl);
  const admin = new URL(testInfra.databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  // Jest's module mapping does not apply here, so this uses TypeORM directly (relative imports only).
  const dataSource = new DataSource({ type: 'postgres', url: testInfra.databaseUrl, migrations: GRAPH_MIGRATIONS });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();

  const redis = new Redis(testInfra.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.flushdb();
  redis.disconnect();

  const started = await ensureKafka(testInfra.kafkaBrokers);
  if (started) (globalThis as { __kafkaStartedByTests?: string }).__kafkaStartedByTests = started;
}
