/**
 * Where the integration and e2e tests find the real components. Defaults are the machine's shared
 * services; each can be overridden (e.g. to run two checkouts' suites side by side).
 *   TEST_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/graph_test (recreated each run)
 *   TEST_REDIS_URL     default redis://127.0.0.1:6379/1
 *   TEST_KAFKA_BROKERS default 127.0.0.1:9092 (started by scripts/kafka.sh when nothing listens)
 */
export const testInfra = {
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/graph_test',
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1',
  kafkaBrokers: process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092',
};
