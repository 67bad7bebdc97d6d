import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { BenchContext, Scenario } from '../context';
import { cacheCounters } from '../lib/cache-metrics';
import { HttpClient } from '../lib/http-client';
import { serviceNodeFlags } from '../lib/node-flags';
import { runLoad } from '../lib/load';
import { seededRandom, Zipf } from '../lib/stats';
import { freePort, SpareRedis, waitForPort } from '../../test/support/spare-services';

const G = '/api/v1/graph';
/** Offered load of the outage measurement, requests per second. */
const OUTAGE_RATE = 300;

/**
 * The read/write mix: reads of profiles (stats), followers and following first pages and
 * relationships, targets drawn Zipf(0.8) over `universe` users with the celebrity as rank 0; viewers
 * drawn Zipf(0.8) over 20 active sessions. 10% writes: follow/unfollow toggles by 2,000 writers, a
 * third of them on the celebrity.
 */
function mix(ctx: BenchContext, client: HttpClient, universe: string[], celebrity: string, seed: number) {
  const random = seededRandom(seed);
  const targets = new Zipf(universe.length, 0.8, random);
  const sessions = universe.slice(1, 21);
  const viewers = new Zipf(sessions.length, 0.8, random);
  const tokens = new Map<string, string>();
  const token = (id: string): string => {
    let t = tokens.get(id);
    if (!t) tokens.set(id, (t = ctx.token(id)));
    return t;
  };
  const followed = new Set<string>();
  const writers = ctx.freshIds(2000);
  return async (): Promise<void> => {
    const roll = random();
    if (roll < 0.1) {
      const target = random() < 0.33 ? celebrity : universe[targets.next()]!;
      const actor = writers[Math.floor(random() * writers.length)]!;
      const pair = `${actor}>${target}`;
      if (followed.delete(pair)) await client.ok('DELETE', `${G}/follow/${target}`, token(actor));
      else {
        followed.add(pair);
        await client.ok('POST', `${G}/follow/${target}`, token(actor));
      }
      return;
    }
    const target = universe[targets.next()]!;
    const viewer = sessions[viewers.next()]!;
    if (roll < 0.4) await client.ok('GET', `${G}/stats/${target}`, token(viewer));
    else if (roll < 0.7) await client.ok('GET', `${G}/followers/${target}`, token(viewer));
    else if (roll < 0.85) await client.ok('GET', `${G}/following/${target}`, token(viewer));
    else await client.ok('GET', `${G}/relationship/${target}`, token(viewer));
  };
}

function universeOf(ctx: BenchContext, size: number): { universe: string[]; celebrity: string } {
  const celebrity = ctx.graph.celebrities[0]!;
  const ids: string[] = [celebrity];
  // Generated ids are 1_000_000 + 1..users; the celebrity is rank 0, then ordinary accounts.
  for (let i = 1; ids.length < Math.min(size, ctx.graph.users); i++) {
    const id = (1_000_000 + i).toString();
    if (id !== celebrity) ids.push(id);
  }
  return { universe: ids, celebrity };
}

/**
 * Hit rate as clients experience it. What is counted (graph_cache_hits/misses_total per family):
 * one lookup per cache read made for a client call — a stats call is one stats lookup, a
 * followers/following page is one lookup of its list family (settings, block set, window and
 * counters come in one store call; a hit only when no part came from Postgres), a relationship
 * call one lookup per pair; a private owner's page adds the viewer's relationship lookup.
 * Steady state: before measuring, every key the mix can read is read once (each user's profile and
 * first pages, each session's relationship to each user), so first-touch misses, which depend on
 * how long the run is rather than on the cache, are left out; writes during the mix (10%, a third
 * of them on the celebrity) then cost what they cost.
 */
async function hitRate(ctx: BenchContext): Promise<void> {
  const service = await ctx.startService();
  const client = new HttpClient(service.url, ctx.options.concurrency + 4);
  try {
    const { universe, celebrity } = universeOf(ctx, 2000);
    const op = mix(ctx, client, universe, celebrity, 7);
    const viewer = ctx.token(universe[1]!);
    const paths = universe.flatMap((u) => [`${G}/stats/${u}`, `${G}/followers/${u}`, `${G}/following/${u}`]);
    // The sessions' relationships to every user, 100 ids per call (each pair is its own key).
    for (const session of universe.slice(1, 21)) {
      for (let i = 0; i < universe.length; i += 100) paths.push(`${G}/relationships?ids=${universe.slice(i, i + 100).join(',')}#${session}`);
    }
    const tokens = new Map(universe.slice(1, 21).map((s) => [s, ctx.token(s)]));
    const warm = async (i: number): Promise<void> => {
      const [path, session] = paths[i]!.split('#');
      await client.ok('GET', path!, session ? tokens.get(session)! : viewer);
    };
    ctx.load(await runLoad({ name: 'cache pre-warm pass', concurrency: ctx.options.concurrency, operations: paths.length }, warm));
    ctx.load(await runLoad({ name: 'cache mix warm-up', concurrency: ctx.options.concurrency, durationMs: ctx.options.durationMs }, op));
    const before = await cacheCounters(client);
    ctx.load(await runLoad({ name: 'cache mix (Zipf 0.8, 10% writes, celebrity)', concurrency: ctx.options.concurrency, durationMs: ctx.options.durationMs }, op));
    const after = await cacheCounters(client);
    const sum = { user: { hits: 0, total: 0 }, all: { hits: 0, total: 0 } };
    for (const [family, a] of after) {
      const b = before.get(family) ?? { hits: 0, misses: 0 };
      const h = a.hits - b.hits;
      const n = h + a.misses - b.misses;
      if (n === 0) continue;
      sum.all.hits += h;
      sum.all.total += n;
      // Per-user entries; relationship entries are per viewer/target pair.
      if (family !== 'relationship') {
        sum.user.hits += h;
        sum.user.total += n;
      }
      ctx.record({ scenario: 'cache', metric: `hit rate ${family} (${n} lookups)`, value: (100 * h) / n, unit: '%' });
    }
    const userRate = sum.user.total ? sum.user.hits / sum.user.total : 0;
    const allRate = sum.all.total ? sum.all.hits / sum.all.total : 0;
    ctx.record({ scenario: 'cache', metric: 'hit rate, per-user keys (lists, stats, settings)', value: 100 * userRate, unit: '%', ratio: userRate, target: '≥ 0.97', pass: userRate >= 0.97 });
    ctx.record({ scenario: 'cache', metric: 'hit rate, all lookups incl. relationship pairs', value: 100 * allRate, unit: '%', ratio: allRate, target: '≥ 0.97', pass: allRate >= 0.97 });
  } finally {
    client.close();
    await service.stop();
  }
}

async function startBare(ctx: BenchContext, port: number, key: string): Promise<ChildProcess> {
  const root = join(__dirname, '../..');
  const child = spawn(process.execPath, [...serviceNodeFlags(), '-r', '@swc-node/register', join(root, 'bench/lib/bare-redis-route.ts')], {
    cwd: root,
    env: { ...process.env, PORT: String(port), REDIS_URL: ctx.redisUrl, HTTP_ADAPTER: ctx.options.adapter, BARE_KEY: key },
    stdio: 'ignore',
  });
  await waitForPort(port, 60000);
  return child;
}

async function pageThroughput(ctx: BenchContext): Promise<void> {
  const service = await ctx.startService();
  const client = new HttpClient(service.url, ctx.options.concurrency + 4);
  const celebrity = ctx.graph.celebrities[0]!;
  const viewer = ctx.freshIds(1)[0]!;
  const token = ctx.token(viewer);
  const path = `${G}/followers/${celebrity}`;
  const redis = new Redis(ctx.redisUrl);
  let bare: ChildProcess | null = null;
  try {
    const body = (await client.ok('GET', path, token)).body;
    const key = 'bench:bare:page';
    await redis.set(key, body);
    const port = await freePort();
    bare = await startBare(ctx, port, key);
    const bareClient = new HttpClient(`http://127.0.0.1:${port}`, ctx.options.concurrency + 4);
    const same = (await bareClient.ok('GET', '/bare')).body === body;
    // Alternating halves (bare, cached, bare, cached), so background work that comes and goes on the
    // shared machine (autovacuum after the bulk load, the outbox relay) weighs on both sides alike.
    const opts = { concurrency: ctx.options.concurrency, durationMs: ctx.options.durationMs / 2, warmup: 200 };
    const rounds: { bare: number; cached: number }[] = [];
    for (let round = 1; round <= 2; round++) {
      const b = ctx.load(await runLoad({ name: `bare Nest route, one Redis GET (round ${round})`, ...opts }, async () => void (await bareClient.ok('GET', '/bare'))));
      const c = ctx.load(await runLoad({ name: `cached followers page, celebrity (round ${round})`, ...opts }, async () => void (await client.ok('GET', path, token))));
      rounds.push({ bare: b.opsPerSec, cached: c.opsPerSec });
    }
    bareClient.close();
    const mean = (side: 'bare' | 'cached') => rounds.reduce((sum, r) => sum + r[side], 0) / rounds.length;
    const [baseline, cached] = [mean('bare'), mean('cached')];
    const ratio = cached / baseline;
    ctx.record({
      scenario: 'cache',
      metric: `cached followers page vs bare route (${ctx.options.adapter}, same bytes: ${same})`,
      value: cached,
      unit: 'req/s',
      limit: baseline,
      ratio,
      target: '≥ 0.90',
      pass: ratio >= 0.9,
    });
  } finally {
    bare?.kill('SIGTERM');
    redis.disconnect();
    client.close();
    await service.stop();
  }
}

async function outageLatency(ctx: BenchContext): Promise<void> {
  const spare = await SpareRedis.start();
  const service = await ctx.startService({ REDIS_URL: spare.url });
  const client = new HttpClient(service.url, ctx.options.concurrency + 4);
  try {
    const { universe, celebrity } = universeOf(ctx, 2000);
    const op = mix(ctx, client, universe, celebrity, 11);
    // Open loop at a fixed rate the service sustains without Redis, so the figure is the latency of a
    // call through a dead cache, not queueing behind a saturated closed loop.
    const paced = { concurrency: ctx.options.concurrency, durationMs: ctx.options.durationMs, ratePerSec: OUTAGE_RATE };
    ctx.load(await runLoad({ name: `mix before the outage (${OUTAGE_RATE}/s)`, ...paced }, op));
    await spare.kill();
    const during = ctx.load(await runLoad({ name: `mix with Redis killed (${OUTAGE_RATE}/s)`, ...paced }, op));
    ctx.record({
      scenario: 'cache',
      metric: `p99 latency while Redis is down (${during.errors} errors)`,
      value: during.latency.p99,
      unit: 'ms',
      target: '≤ 50 ms',
      pass: during.latency.p99 <= 50 && during.errors === 0,
    });
    await spare.start();
    await new Promise((r) => setTimeout(r, 1500));
    const back = ctx.load(await runLoad({ name: `mix after Redis is back (${OUTAGE_RATE}/s)`, ...paced }, op));
    ctx.record({ scenario: 'cache', metric: `p99 latency after Redis is back (${back.errors} errors)`, value: back.latency.p99, unit: 'ms' });
  } finally {
    client.close();
    await service.stop();
    await spare.kill();
  }
}

/** Hit rate under a skewed mix, cached page throughput against a bare Redis route, latency through an outage. */
export const cacheScenario: Scenario = async (ctx) => {
  await hitRate(ctx);
  await pageThroughput(ctx);
  await outageLatency(ctx);
};
