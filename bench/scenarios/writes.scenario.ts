import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { UserId } from '@graph/domain';
import { createDataSource } from '@graph/infrastructure';
import { TypeOrmGraphWriteRepository } from '@graph/infrastructure/postgres/typeorm-graph-write.repository';
import { AppConfig } from '../../apps/graph-service/src/config/app-config';
import { TokenVerifier } from '../../apps/graph-service/src/http/auth/token-verifier';
import { BENCH_JWT_SECRET, BenchContext, Scenario } from '../context';
import { relayCounters } from '../lib/cache-metrics';
import { HttpClient } from '../lib/http-client';
import { LoadResult, runLoad } from '../lib/load';
import { PgRoundTripCounter } from '../lib/pg-round-trip-counter';
import { RedisCommandCounter } from '../lib/redis-command-counter';
import { benchPort } from '../lib/ports';
import { cpuByProcess, cpuPerCall, processCpu } from '../lib/process-cpu';
import { rowOf } from '../lib/report';
import { accountWithFollowers, followUnfollow, graphUsers, randomIn, someone, writers } from '../lib/write-load';
import { runWrkFollowUnfollow, wrkAvailable } from '../lib/wrk-load';

const TARGETS = { fastify: 2500, express: 1800 } as const;
/** Each write load first runs this long unmeasured at full concurrency (see LoadOptions.warmupMs). */
const WARMUP_MS = 2000;

/**
 * Follow + unfollow over HTTP with 32 clients, spread over random pairs and on one account with a
 * million followers, on each adapter, next to its limit: the same repository calls straight through
 * pg in the bench process (no HTTP, Nest or Redis). Also what one write costs: Postgres round trips
 * (counted by a proxy in front of Postgres), Redis commands, and the service's CPU per call.
 */
export const writesScenario: Scenario = async (ctx) => {
  const celebrity = await accountWithFollowers(ctx, ctx.options.deepFollowers);
  const pgAlone = await postgresAlone(ctx);
  const limits = await sqlLimits(ctx, celebrity);
  // The limits' events had no relay: left unsent, the service's relay would publish them during
  // the first HTTP load it is measured by (60,000 in 8 s runs, 170,000 in 30 s runs).
  await onDatabase(ctx, (db) => db.query(`UPDATE outbox_events SET sent_at = now() WHERE sent_at IS NULL`));
  for (const adapter of ctx.options.adapters) await writesOn(ctx, adapter, celebrity, limits, pgAlone);
  await roundTrips(ctx);
  await tokenCheck(ctx);
};

/**
 * What PostgreSQL alone gives on this machine: pgbench calling the write functions themselves
 * (graph_follow, then graph_remove_edge: two calls, two commits per transaction of its script) from
 * as many clients, no Node at all. The ceiling of any write figure above it. Skipped without pgbench.
 */
async function postgresAlone(ctx: BenchContext): Promise<number | null> {
  const followers = ctx.freshIds(100000);
  const script = [
    `\\set a random(${followers[0]}, ${followers[followers.length - 1]})`,
    `\\set b random(1000001, ${1_000_000 + ctx.graph.users})`,
    `SELECT * FROM graph_follow(:a, :b, false, true, NULL, 7500, 1100, gen_random_uuid(), 'graph.follow', '{"event_type":"follow","schema_version":1}'::jsonb);`,
    `SELECT graph_remove_edge(:a, :b, false, 'unfollow', 'cancelled', gen_random_uuid(), 'graph.unfollow', '{"event_type":"unfollow","schema_version":1}'::jsonb);`,
  ].join('\n');
  const file = join(mkdtempSync(join(tmpdir(), 'bench-pgbench-')), 'writes.sql');
  writeFileSync(file, `${script}\n`);
  const url = new URL(ctx.databaseUrl);
  const args = ['-n', '-M', 'prepared', '-f', file, '-c', String(ctx.options.concurrency), '-j', '2', '-T', String(Math.round(ctx.options.durationMs / 1000)),
    '-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres'), url.pathname.slice(1)];
  let out: string;
  try {
    out = (await promisify(execFile)('pgbench', args, { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } })).stdout;
  } catch (error) {
    ctx.tableRow({ scenario: 'writes', name: 'postgres alone: the write functions from pgbench (limit)', note: `skipped: ${(error as Error).message.split('\n')[0]}` });
    return null;
  }
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? NaN);
  const latency = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1] ?? NaN);
  ctx.tableRow({
    scenario: 'writes',
    name: `postgres alone: graph_follow + graph_remove_edge from pgbench, c=${ctx.options.concurrency} (limit)`,
    opsPerSec: 2 * tps,
    note: `write calls/s (two calls, two commits per script run of ${latency.toFixed(1)} ms); no Node on the path: the ceiling of the rows below`,
  });
  return 2 * tps;
}

async function onDatabase<T>(ctx: BenchContext, work: (db: DataSource) => Promise<T>): Promise<T> {
  const db = createDataSource(ctx.databaseUrl, 1, 300000);
  await db.initialize();
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

/**
 * What autovacuum would have done between two loads. The machine's PostgreSQL runs with autovacuum
 * off (a CI setting, not a production one), so without this each load would pay for the dead
 * tuples and index entries of every load before it: the relay walks the outbox's dead pending
 * entries on each read, and the follow/unfollow churn leaves dead versions under every pair.
 */
async function vacuumWriteTables(db: DataSource): Promise<void> {
  await db.query('VACUUM (ANALYZE) outbox_events, follows, user_graph_stats');
}

async function sqlLimits(ctx: BenchContext, celebrity: string): Promise<{ spread: LoadResult; one: LoadResult }> {
  const db = createDataSource(ctx.databaseUrl, ctx.options.concurrency, 30000);
  await db.initialize();
  const repo = new TypeOrmGraphWriteRepository(db);
  try {
    const toggle = (target: () => string) => {
      const ids = ctx.freshIds(10000) as UserId[];
      const current: (UserId | null)[] = ids.map(() => null);
      let next = 0;
      return async () => {
        const w = next++ % ids.length;
        const followed = current[w];
        if (followed) {
          current[w] = null;
          await repo.unfollow(ids[w]!, followed);
        } else {
          current[w] = target() as UserId;
          await repo.follow(ids[w]!, current[w]!);
        }
      };
    };
    const opts = { concurrency: ctx.options.concurrency, durationMs: ctx.options.durationMs, warmup: 100, warmupMs: WARMUP_MS };
    await vacuumWriteTables(db);
    const spread = ctx.load(await runLoad({ name: 'sql follow+unfollow, spread (limit)', ...opts }, toggle(someone(ctx))));
    await vacuumWriteTables(db);
    const one = ctx.load(await runLoad({ name: 'sql follow+unfollow, one 1M-follower account (limit)', ...opts }, toggle(() => celebrity)));
    ctx.tableRow(rowOf('writes', spread, { note: 'repository call through pg, no HTTP/Nest/Redis' }));
    ctx.tableRow(rowOf('writes', one));
    return { spread, one };
  } finally {
    await db.destroy();
  }
}

async function writesOn(ctx: BenchContext, adapter: 'express' | 'fastify', celebrity: string, limits: { spread: LoadResult; one: LoadResult }, pgAlone: number | null): Promise<void> {
  const service = await ctx.startService({ HTTP_ADAPTER: adapter });
  const http = new HttpClient(service.url, ctx.options.concurrency + 4);
  try {
    const useWrk = await wrkAvailable();
    const pool = useWrk ? null : writers(ctx, 10000);
    const celebrityAlone = { from: Number(celebrity), to: Number(celebrity) };
    for (const [label, targets, limit] of [
      ['spread', graphUsers(ctx), limits.spread],
      ['one 1M-follower account', celebrityAlone, limits.one],
    ] as const) {
      // Readings at the start of the measured window, after the warm-up.
      let start: { machine: ReturnType<typeof cpuByProcess>; relay: Awaited<ReturnType<typeof relayCounters>> } | undefined;
      const beforeMeasure = async () => {
        start = { machine: cpuByProcess(service.pid), relay: await relayCounters(http) };
      };
      const name = `http follow+unfollow, ${label}, ${adapter}`;
      await onDatabase(ctx, vacuumWriteTables);
      let r: LoadResult;
      let generatorCpu = 0;
      if (useWrk) {
        const wrk = (durationMs: number, tokens: string[]) =>
          runWrkFollowUnfollow({ name, baseUrl: service.url, concurrency: ctx.options.concurrency, durationMs, tokens, targets });
        // Writers of their own for the warm-up (a wrk run starts knowing no writer's follows), all
        // signed before the measured window: signing is the bench's work.
        const [warmers, measuredWriters] = [writers(ctx, 4000), writers(ctx, 10000)];
        await wrk(WARMUP_MS, warmers.tokens);
        await beforeMeasure();
        const measured = await wrk(ctx.options.durationMs, measuredWriters.tokens);
        generatorCpu = measured.generatorCpuSeconds;
        r = ctx.load(measured);
      } else {
        const opts = { concurrency: ctx.options.concurrency, durationMs: ctx.options.durationMs, warmup: 100, warmupMs: WARMUP_MS, beforeMeasure };
        r = ctx.load(await runLoad({ name, ...opts }, followUnfollow(http, pool!, randomIn(targets))));
      }
      const calls = r.ops + r.errors;
      // Every process's share (Postgres, Redis, Kafka, the load generator share the 2 cores): the
      // ceiling the machine puts on this path, whatever the service does.
      const end = cpuByProcess(service.pid);
      // wrk has exited by now: its CPU comes from its own report.
      end.set('load generator', (end.get('load generator') ?? 0) + generatorCpu);
      const machine = cpuPerCall(start!.machine, end, calls);
      const relay = await relayCounters(http);
      // How many events one Kafka send carried: each send costs the broker about the same CPU.
      const perBatch = (relay.events - start!.relay.events) / (relay.batches - start!.relay.batches);
      const goal = TARGETS[adapter];
      ctx.tableRow(
        rowOf('writes', r, {
          limitName: 'sql',
          limit: limit.opsPerSec,
          ratio: r.opsPerSec / limit.opsPerSec,
          target: `≥ ${goal}/s, p99 ≤ 50`,
          pass: r.opsPerSec >= goal && r.latency.p99 <= 50 && r.errors === 0,
          note: `${useWrk ? 'wrk' : 'Node client (no wrk)'}; service CPU ${(machine.perCall.get('service') ?? Number.NaN).toFixed(0)} µs/call${pgAlone ? `; ${(r.opsPerSec / pgAlone).toFixed(2)} of postgres alone` : ''}; ${Number.isFinite(perBatch) ? `${perBatch.toFixed(1)} events per Kafka send; ` : ''}${machine.note}`,
        }),
      );
    }
  } finally {
    http.close();
    await service.stop();
  }
}

/** Postgres round trips and Redis commands of one follow and one unfollow, counted over sequential calls (no Kafka: the relay's reads would count too). */
async function roundTrips(ctx: BenchContext): Promise<void> {
  const target = new URL(ctx.databaseUrl);
  const proxy = await PgRoundTripCounter.start(await benchPort(), { host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(ctx.databaseUrl);
  viaProxy.port = String(proxy.port);
  const redisTarget = new URL(ctx.redisUrl);
  const redisProxy = await RedisCommandCounter.start(await benchPort(), { host: redisTarget.hostname, port: Number(redisTarget.port || 6379) });
  const redisViaProxy = new URL(ctx.redisUrl);
  redisViaProxy.port = String(redisProxy.port);
  const service = await ctx.startService({ DATABASE_URL: viaProxy.toString(), REDIS_URL: redisViaProxy.toString(), KAFKA_BROKERS: '', HTTP_ADAPTER: ctx.options.adapters[0]! });
  const http = new HttpClient(service.url, 4);
  try {
    const warm = followUnfollow(http, writers(ctx, 200), someone(ctx));
    for (let i = 0; i < 40; i++) await warm(i);
    const count = () => ({ pg: proxy.roundTrips, redis: redisProxy.snapshot(), redisWrites: redisProxy.writes, cpu: processCpu(service.pid).total });
    const measure = async (label: string, n: number, call: (i: number) => Promise<void>) => {
      const before = count();
      for (let i = 0; i < n; i++) await call(i);
      const after = count();
      const kinds = [...after.redis]
        .map(([name, calls]) => [name, (calls - (before.redis.get(name) ?? 0)) / n] as const)
        .filter(([, per]) => per > 0)
        .map(([name, per]) => `${name} ${per.toFixed(2)}`);
      const redisPer = kinds.length ? [...after.redis].reduce((sum, [name, calls]) => sum + calls - (before.redis.get(name) ?? 0), 0) / n : 0;
      ctx.tableRow({
        scenario: 'writes',
        name: `${label}: round trips per call (${n} sequential calls)`,
        note: `Postgres ${((after.pg - before.pg) / n).toFixed(2)} round trips; Redis ${((after.redisWrites - before.redisWrites) / n).toFixed(2)} round trips, ${redisPer.toFixed(2)} commands (${kinds.join(', ')}); service CPU ${((1e6 * (after.cpu - before.cpu)) / n).toFixed(0)} µs/call`,
      });
    };
    // Writers alternate follow and unfollow, so n consecutive calls of the toggle give n/2 of each; measure each kind on its own too.
    const followers = writers(ctx, 400);
    const targets = Array.from({ length: 400 }, someone(ctx));
    await measure('follow', 400, (i) => http.ok('POST', `/api/v1/graph/follow/${targets[i]}`, followers.tokens[i]).then(() => undefined));
    await measure('unfollow', 400, (i) => http.ok('DELETE', `/api/v1/graph/follow/${targets[i]}`, followers.tokens[i]).then(() => undefined));
  } finally {
    http.close();
    await service.stop();
    await proxy.stop();
    await redisProxy.stop();
  }
}

/** Tokens verified for the token-check row: each one new to the verifier, as every write of the loads above is. */
const TOKEN_CHECKS = 5000;

/**
 * The service's bearer-token check on a token it has not seen (TokenVerifier, in the bench process),
 * in CPU per token, against its floor: one HMAC-SHA256 of the same signing input with node:crypto.
 * Every HTTP write above carries a new token (10,000 writers, each at most once per load).
 */
async function tokenCheck(ctx: BenchContext): Promise<void> {
  const verifier = new TokenVerifier({ auth: { algorithm: 'HS256', secret: BENCH_JWT_SECRET, usingDevelopmentSecret: false, clockToleranceSeconds: 0 } } as unknown as AppConfig);
  const tokens = writers(ctx, TOKEN_CHECKS).tokens;
  const cpuMicros = async (work: () => unknown) => {
    const start = process.cpuUsage();
    await work();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / TOKEN_CHECKS;
  };
  // Warm both paths (JIT) on other tokens first.
  for (const t of writers(ctx, 2000).tokens) await verifier.verify(`Bearer ${t}`);
  const hmac = await cpuMicros(() => {
    for (const t of tokens) createHmac('sha256', BENCH_JWT_SECRET).update(t.slice(0, t.lastIndexOf('.'))).digest('base64url');
  });
  const verify = await cpuMicros(async () => {
    for (const t of tokens) await verifier.verify(`Bearer ${t}`);
  });
  ctx.tableRow({
    scenario: 'writes',
    name: `bearer token check, a token not seen before (${TOKEN_CHECKS.toLocaleString('en-US')} tokens)`,
    opsPerSec: 1e6 / verify,
    limitName: 'HMAC alone',
    limit: 1e6 / hmac,
    ratio: hmac / verify,
    note: `${verify.toFixed(1)} µs of CPU per token (HMAC-SHA256 of its signing input alone ${hmac.toFixed(1)} µs); one per write of the loads above`,
  });
}
