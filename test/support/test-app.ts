import { INestApplication } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { AppConfig, loadConfig } from '../../apps/graph-service/src/config/app-config';
import { createApp, startKafka } from '../../apps/graph-service/src/bootstrap';
import { testInfra } from '../setup/test-infra';

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef';

/** The app's config pointed at the test components; `env` overrides or adds variables. */
export function testConfig(env: Record<string, string | undefined> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: testInfra.databaseUrl,
    REDIS_URL: testInfra.redisUrl,
    KAFKA_BROKERS: testInfra.kafkaBrokers,
    // One consumer group per test database: suites of other checkouts share the broker, and their
    // apps must not answer this run's requests or events.
    KAFKA_GROUP_ID: `graph-${new URL(testInfra.databaseUrl).pathname.slice(1)}`,
    JWT_SECRET: TEST_JWT_SECRET,
    MIGRATIONS_RUN: 'false',
    LOG_LEVEL: 'error',
    ...env,
  });
}

/**
 * The whole service as main.ts builds it, not listening (use app.getHttpServer() with supertest),
 * with its Kafka server's first start attempt awaited (main.ts does not wait for it). On fastify the
 * instance is made ready (listen does that in main.ts), or supertest's requests find no routes.
 */
export async function startTestApp(env: Record<string, string | undefined> = {}): Promise<INestApplication> {
  const config = testConfig(env);
  const app = await createApp(config, { logger: false });
  if (config.http.adapter === 'fastify') await app.getHttpAdapter().getInstance().ready();
  await startKafka(app);
  return app;
}

/** A bearer token for `userId` signed with the test secret. */
export function tokenFor(userId: string | number, options: { admin?: boolean; expiresIn?: number } = {}): string {
  return jwt.sign({ sub: String(userId), roles: options.admin ? ['admin'] : [] }, TEST_JWT_SECRET, {
    algorithm: 'HS256',
    expiresIn: options.expiresIn ?? 3600,
  });
}

export function bearer(userId: string | number, options: { admin?: boolean } = {}): { Authorization: string } {
  return { Authorization: `Bearer ${tokenFor(userId, options)}` };
}

let nextId = BigInt(Date.now()) * 1000n;
/** A user id no other test uses (tests share one database). */
export function freshUserId(): string {
  nextId += 1n;
  return nextId.toString();
}
