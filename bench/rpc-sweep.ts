/**
 * npm run build && node --expose-gc --v8-pool-size=1 -r @swc-node/register bench/rpc-sweep.ts [--users 20000] [--rates 100,300,500] [--seconds 8] [--reuse] [--echo]
 *
 * Request-reply latency at several rates (the bench's kafka scenario runs only 500/s), with the CPU
 * each process used meanwhile (bench client, service, broker), to tell a saturated path from waits
 * added by batching or fetch settings. Uses BENCH_DATABASE_URL / BENCH_REDIS_URL / BENCH_KAFKA_BROKERS
 * like `npm run bench`; the database is recreated and filled with a generated graph (--reuse keeps the
 * last one). --echo then runs the same rates through the raw kafkajs echo, the floor of two Kafka hops.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { GraphClient } from '@graph/client';
import { ensureKafka, freePort } from '../test/support/spare-services';
import { recreateDatabase } from '../test/support/throwaway-database';
import { RPC_MIX_PATTERNS, rpcMix } from './scenarios/kafka.scenario';
import { BenchContext } from './context';
import { GeneratedGraph, generateGraph } from './lib/graph-generator';
import { startEchoFloor } from './lib/kafka-echo';
import { runLoad } from './lib/load';
import { processCpu } from './lib/process-cpu';
import { summarize } from './lib/stats';
import { startService } from './lib/service';

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}


/** Busy and total jiffies of the whole machine (all cores), to see whether other work starves ours. */
function machineJiffies(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const n = values.map(Number);
  const idle = n[3]! + n[4]!;
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** The broker's pid from the state folder scripts/kafka.sh keeps (NaN for a broker it did not start). */
function kafkaPid(brokers: string): number {
  const port = brokers.split(',')[0]!.split(':')[1] ?? '9092';
  try {
    return Number(readFileSync(process.env.KAFKA_HOME_DIR ? `${process.env.KAFKA_HOME_DIR}/kafka.pid` : `${__dirname}/../.kafka/${port}/kafka.pid`, 'utf8').trim());
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds of each of several processes (a process that has gone is left out). */
function cpuOf(pids: number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, processCpu(pid).total] as const).filter(([, cpu]) => Number.isFinite(cpu)));
}

/** CPU used since `before` by the processes of `after` (pool connections come and go). */
function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  return [...after].reduce((sum, [pid, cpu]) => sum + cpu - (before.get(pid) ?? 0), 0);
}

/** The Postgres backends connected to the bench database (the service's pool), by pid. */
async function postgresBackends(databaseUrl: string): Promise<number[]> {
  const pg = new Client(databaseUrl);
  await pg.connect();
  try {
    const rows = (await pg.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows as { pid: number }[];
    return rows.map((r) => r.pid);
  } finally {
    await pg.end();
  }
}

async function main(): Promise<void> {
  const users = Number(argument('users', '20000'));
  const rates = argument('rates', '100,300,500').split(',').map(Number);
  const seconds = Number(argument('seconds', '8'));
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/graph_bench';
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/9';
  const kafkaBrokers = process.env.BENCH_KAFKA_BROKERS ?? '127.0.0.1:9092';
  const log = (m: string) => process.stdout.write(`${m}\n`);

  // --reuse keeps the graph of the previous run (the database is only read here).
  const reuse = process.argv.includes('--reuse');
  if (!reuse) await recreateDatabase(databaseUrl, /bench/);
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  redis.disconnect();
  await ensureKafka(kafkaBrokers);
  const graph: GeneratedGraph = reuse
    ? { users, edges: 0, celebrities: [], heavyUsers: [], nextFreeId: 10_000_000n }
    : await generateGraph(databaseUrl, { users, meanFollowings: 20, zipf: 1.0, heavyUsers: 300, heavyFollowings: 1200, seed: 42 }, log);
  const ctx = new BenchContext(
    { users, concurrency: 32, durationMs: 8000, adapter: 'express', deepFollowers: 0 },
    databaseUrl,
    redisUrl,
    kafkaBrokers,
    graph,
    async (env) => startService(env, await freePort()),
  );
  const service = await ctx.startService({ KAFKA_GROUP_ID: `bench-${randomUUID()}` });
  const broker = kafkaPid(kafkaBrokers);
  const client = new GraphClient({ brokers: kafkaBrokers.split(','), groupId: `bench-rpc-${randomUUID()}`, timeoutMs: 5000 });
  // Split each round trip at the reply's CreateTime (set by the service's producer on this machine):
  // request leg = send → reply produced (transit, queueing and the handler), reply leg = the rest.
  const replyLeg: number[] = [];
  const kafkaClient = client.kafka as unknown as { createResponseCallback(): (p: { message: { timestamp: string } }) => Promise<void> };
  const original = kafkaClient.createResponseCallback.bind(kafkaClient);
  kafkaClient.createResponseCallback = () => {
    const inner = original();
    return async (payload) => {
      replyLeg.push(Date.now() - Number(payload.message.timestamp));
      return inner(payload);
    };
  };
  await client.onModuleInit();
  const mixed = rpcMix(client, users);
  // Latency per pattern of the mix, to tell which request makes the tail.
  const byPattern: number[][] = RPC_MIX_PATTERNS.map(() => []);
  const op = async (i: number) => {
    const begin = performance.now();
    await mixed(i);
    byPattern[i % RPC_MIX_PATTERNS.length]!.push(performance.now() - begin);
  };
  try {
    await runLoad({ name: 'rpc warm-up', concurrency: 8, operations: 400 }, op);
    const single = await runLoad({ name: 'one at a time', concurrency: 1, operations: 200 }, op);
    log(`one at a time: p50 ${single.latency.p50.toFixed(2)} ms, p99 ${single.latency.p99.toFixed(2)} ms`);
    for (const rate of rates) {
      const before = {
        self: process.cpuUsage(),
        service: processCpu(service.pid),
        broker: processCpu(broker),
        postgres: cpuOf(await postgresBackends(databaseUrl)),
        redis: processCpu(redisPid),
        machine: machineJiffies(),
      };
      replyLeg.length = 0;
      for (const samples of byPattern) samples.length = 0;
      const r = await runLoad({ name: `${rate}/s`, concurrency: 64, ratePerSec: rate, durationMs: seconds * 1000 }, op);
      const self = process.cpuUsage(before.self);
      const backends = cpuOf(await postgresBackends(databaseUrl));
      const [serviceCpu, brokerCpu, redisCpu] = [processCpu(service.pid), processCpu(broker), processCpu(redisPid)];
      const machine = machineJiffies();
      const machineBusy = (100 * (machine.busy - before.machine.busy)) / (machine.total - before.machine.total);
      const pct = (s: number) => ((100 * s) / r.seconds).toFixed(0);
      log(
        `${rate}/s: ${r.opsPerSec.toFixed(0)} ops/s, p50 ${r.latency.p50.toFixed(2)} ms, p95 ${r.latency.p95.toFixed(2)} ms, ` +
          `p99 ${r.latency.p99.toFixed(2)} ms, errors ${r.errors}; CPU % bench ${pct((self.user + self.system) / 1e6)}, ` +
          `service ${pct(serviceCpu.total - before.service.total)}, broker ${pct(brokerCpu.total - before.broker.total)}, ` +
          `postgres ${pct(cpuSince(before.postgres, backends))} (${backends.size} backends), redis ${pct(redisCpu.total - before.redis.total)} ` +
          `(sys: bench ${pct(self.system / 1e6)}, service ${pct(serviceCpu.system - before.service.system)}, broker ${pct(brokerCpu.system - before.broker.system)}) ` +
          `machine busy ${machineBusy.toFixed(0)}% of ${os.cpus().length} cores; ` +
          `reply leg p50 ${summarize(replyLeg).p50.toFixed(1)} p99 ${summarize(replyLeg).p99.toFixed(1)} ms`,
      );
      log(`  p99 by pattern: ${RPC_MIX_PATTERNS.map((name, k) => `${name} ${summarize(byPattern[k]!).p99.toFixed(1)}`).join(', ')} ms`);
    }
  } finally {
    await client.onModuleDestroy();
    await service.stop();
  }
  if (process.argv.includes('--echo')) await echoFloor(kafkaBrokers, broker, rates, seconds, log);
}

/** --echo: the same rates through the raw kafkajs echo (the bench's floor), with the service stopped. */
async function echoFloor(brokers: string, broker: number, rates: number[], seconds: number, log: (m: string) => void): Promise<void> {
  const echo = await startEchoFloor(brokers);
  try {
    for (const rate of rates) {
      const before = { self: process.cpuUsage(), server: processCpu(echo.server.pid!), broker: processCpu(broker) };
      const r = await runLoad({ name: `echo ${rate}/s`, concurrency: 64, ratePerSec: rate, durationMs: seconds * 1000 }, echo.call);
      const self = process.cpuUsage(before.self);
      const pct = (s: number) => ((100 * s) / r.seconds).toFixed(0);
      log(
        `echo ${rate}/s: p50 ${r.latency.p50.toFixed(2)} ms, p95 ${r.latency.p95.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms, errors ${r.errors}; ` +
          `CPU % bench ${pct((self.user + self.system) / 1e6)}, echo server ${pct(processCpu(echo.server.pid!).total - before.server.total)}, ` +
          `broker ${pct(processCpu(broker).total - before.broker.total)}`,
      );
    }
  } finally {
    await echo.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`rpc sweep failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
