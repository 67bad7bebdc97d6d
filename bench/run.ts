/**
 * npm run bench [-- --users 100000 --concurrency 32 --duration 8 --adapter express --only core,cache,kafka]
 *
 * Generates a heavy-tailed follow graph in a bench database, starts the built service against real
 * Postgres, Redis and Kafka, drives each scenario over HTTP (and Kafka), and prints ops/s and
 * p50/p95/p99 next to the limit measured in the same run (the same SQL straight through pg, or a
 * bare baseline). Results also go to bench/results/latest.json.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/graph_bench — recreated),
 * BENCH_REDIS_URL (redis://127.0.0.1:6379/9 — flushed), BENCH_KAFKA_BROKERS (127.0.0.1:9092, started
 * with scripts/kafka.sh when nothing listens).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ensureKafka, freePort } from '../test/support/spare-services';
import { recreateDatabase } from '../test/support/throwaway-database';
import { BenchContext, BenchOptions } from './context';
import { generateGraph } from './lib/graph-generator';
import { startService } from './lib/service';
import { SCENARIOS } from './scenarios';

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const options: BenchOptions = {
    users: Number(argument('users', '100000')),
    concurrency: Number(argument('concurrency', '32')),
    durationMs: Number(argument('duration', '8')) * 1000,
    adapter: argument('adapter', 'express') as BenchOptions['adapter'],
    deepFollowers: Number(argument('deep', '1000000')),
  };
  const only = argument('only', Object.keys(SCENARIOS).join(',')).split(',').filter(Boolean);
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/graph_bench';
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/9';
  const kafkaBrokers = process.env.BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092';
  const log = (m: string) => process.stdout.write(`${m}\n`);

  log(`bench: ${JSON.stringify(options)}, scenarios ${only.join(', ')}`);
  await recreateDatabase(databaseUrl, /bench/);
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  redis.disconnect();
  await ensureKafka(kafkaBrokers);

  const graph = await generateGraph(
    databaseUrl,
    { users: options.users, meanFollowings: 20, zipf: 1.0, heavyUsers: 300, heavyFollowings: 1200, seed: 42 },
    log,
  );
  const ctx = new BenchContext(options, databaseUrl, redisUrl, kafkaBrokers, graph, async (env) => startService(env, await freePort()));

  for (const name of only) {
    const scenario = SCENARIOS[name];
    if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
    log(`\n== ${name}`);
    await scenario(ctx);
  }

  log('\n== summary');
  for (const r of ctx.rows) {
    log(
      `${r.pass === undefined ? '    ' : r.pass ? 'PASS' : 'FAIL'}  ${r.scenario} | ${r.metric}: ${r.value.toFixed(2)} ${r.unit}` +
        (r.ratio !== undefined ? ` (ratio ${r.ratio.toFixed(3)}${r.target ? `, target ${r.target}` : ''})` : r.target ? ` (target ${r.target})` : ''),
    );
  }
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), options, graph: { ...graph, heavyUsers: graph.heavyUsers.length, nextFreeId: undefined }, rows: ctx.rows, loads: ctx.loads }, null, 2));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
