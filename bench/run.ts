/**
 * npm run bench [-- --users 100000 --graph linkbench|zipf|facebook --adapters fastify,express
 *   --concurrency 32 --duration 8 --deep 1000000 --mix-writes 0.18 --mix-rate 0 --active 10000
 *   --only reads,writes,growth,mix,core,cache,kafka]
 *
 * Generates a follow graph in a bench database (LinkBench's shape by default), starts the built
 * service against real Postgres, Redis and Kafka, drives each scenario over HTTP (and Kafka), and
 * prints one table: ops/s, p50/p95/p99, errors, hit rate and the ratio to the limit measured in the
 * same run (a bare Node server, the same SQL straight through pg, ...). Results go to
 * bench/results/latest.json and bench/results/latest.svg (ratios to limits). docs/performance.md.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/graph_bench — recreated),
 * BENCH_REDIS_URL (redis://127.0.0.1:6379/9 — flushed), BENCH_KAFKA_BROKERS (127.0.0.1:9092, started
 * with scripts/kafka.sh when nothing listens).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ensureKafka } from '../test/support/spare-services';
import { recreateDatabase } from '../test/support/throwaway-database';
import { BenchContext, BenchOptions } from './context';
import { generateGraph } from './lib/graph-generator';
import { LINKBENCH_SHAPE, generateLinkBenchGraph, loadSnapGraph } from './lib/linkbench-graph';
import { benchPort } from './lib/ports';
import { formatTable, ratioChartSvg } from './lib/report';
import { startService } from './lib/service';
import { DEFAULT_SCENARIOS, SCENARIOS } from './scenarios';

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
    adapters: argument('adapters', 'fastify,express').split(',').filter(Boolean) as BenchOptions['adapters'],
    deepFollowers: Number(argument('deep', '1000000')),
    mixWrites: Number(argument('mix-writes', '0.18')),
    mixRate: Number(argument('mix-rate', '0')),
    activeUsers: Number(argument('active', '10000')),
  };
  const only = argument('only', DEFAULT_SCENARIOS.join(',')).split(',').filter(Boolean);
  const graphKind = argument('graph', 'linkbench');
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

  const graph =
    graphKind === 'zipf'
      ? await generateGraph(databaseUrl, { users: options.users, meanFollowings: 20, zipf: 1.0, heavyUsers: 300, heavyFollowings: 1200, seed: 42 }, log)
      : graphKind === 'facebook'
        ? await loadSnapGraph(databaseUrl, process.env.BENCH_DATASET ?? '/work/shared/datasets/facebook_combined.txt.gz', log)
        : await generateLinkBenchGraph(databaseUrl, { users: options.users, ...LINKBENCH_SHAPE }, log);
  const ctx = new BenchContext(options, databaseUrl, redisUrl, kafkaBrokers, graph, async (env) => startService(env, await benchPort()));

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
  if (ctx.table.length > 0) log(`\n== table (ratios to limits measured in this run)\n${formatTable(ctx.table)}`);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGiB: os.totalmem() / 2 ** 30, node: process.version, load: os.loadavg() };
  writeFileSync(join(dir, 'latest.json'), JSON.stringify({ at, machine, options, graphKind, graph: { ...graph, heavyUsers: graph.heavyUsers.length, nextFreeId: undefined }, table: ctx.table, rows: ctx.rows, loads: ctx.loads }, null, 2));
  writeFileSync(join(dir, 'latest.svg'), ratioChartSvg(ctx.table, `npm run bench, ${at}: ratio to the limit measured in the same run`));
  log(`results: ${join(dir, 'latest.json')}, ${join(dir, 'latest.svg')}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
