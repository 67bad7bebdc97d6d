import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { BenchContext, Scenario } from '../context';
import { cacheCounters, hitRateBetween, hitRatesByFamily } from '../lib/cache-metrics';
import { HttpClient, HttpResponse } from '../lib/http-client';
import { runLoad, runOpenLoad } from '../lib/load';
import { cpuByProcess, cpuPerCall } from '../lib/process-cpu';
import { redisUsedMemory } from '../lib/redis-stats';
import { rowOf } from '../lib/report';
import { Zipf, seededRandom } from '../lib/stats';

const G = '/api/v1/graph';

/**
 * The LinkBench-derived mix (Armstrong et al., SIGMOD 2013, Table 2: get_link_list ≈ 51 %,
 * count_link ≈ 5 %, get_node ≈ 13 %, multiget_link, link writes ≈ 20 %), mapped onto this
 * service's calls:
 *   reads  — list pages 50 % (followers 30, following 10, a second page by cursor 10),
 *            relationship 10 %, batch relationships (20 ids) 5 %, stats 12 %, known followers 5 %
 *            (scaled down to make room for the writes)
 *   writes — `mixWrites` of all calls (default 18 %): follow 45 %, unfollow 33 %, accept a
 *            pending request 11 %, block or unblock 11 % of the writes.
 * Targets are Zipf(1.0) over accounts by follower count (celebrities are read most), callers Zipf(0.8)
 * over `activeUsers` signed-in users. Answers 2xx, and 403/404 where the graph says so (a private
 * list, a block, a request already answered), count as done; anything else is an error.
 */
export const mixScenario: Scenario = async (ctx) => {
  for (const [i, adapter] of ctx.options.adapters.entries()) await mixOn(ctx, adapter, i === 0);
};

interface MixState {
  next(): Promise<void>;
}

async function universe(ctx: BenchContext): Promise<{ popular: string[]; privateIds: Set<string> }> {
  const client = new Client({ connectionString: ctx.databaseUrl });
  await client.connect();
  try {
    const popular = await client.query<{ id: string }>(
      `SELECT user_id::text AS id FROM user_graph_totals WHERE user_id <= $1 ORDER BY follower_count DESC LIMIT 50000`,
      [(1_000_000 + ctx.graph.users).toString()],
    );
    const priv = await client.query<{ id: string }>(`SELECT user_id::text AS id FROM user_settings WHERE is_private`);
    return { popular: popular.rows.map((r) => r.id), privateIds: new Set(priv.rows.map((r) => r.id)) };
  } finally {
    await client.end();
  }
}

async function makeMix(ctx: BenchContext, http: HttpClient, seed: number): Promise<MixState> {
  const random = seededRandom(seed);
  const { popular, privateIds } = await universe(ctx);
  const targets = new Zipf(popular.length, 1.0, random);
  const active: string[] = [];
  for (let i = 0; i < ctx.options.activeUsers; i++) active.push((1_000_000 + 1 + Math.floor(random() * ctx.graph.users)).toString());
  const callers = new Zipf(active.length, 0.8, random);
  const tokens = new Map<string, string>();
  const token = (id: string) => {
    let t = tokens.get(id);
    if (!t) tokens.set(id, (t = ctx.token(id)));
    return t;
  };
  const target = () => popular[targets.next()]!;
  const caller = () => active[callers.next()]!;
  // Second pages: the next_cursor of the first page of popular public accounts.
  const cursors: { id: string; cursor: string }[] = [];
  const probe = token(active[0]!);
  for (const id of popular.slice(0, 400)) {
    if (privateIds.has(id)) continue;
    const page = JSON.parse((await http.ok('GET', `${G}/followers/${id}`, probe)).body) as { next_cursor: string | null };
    if (page.next_cursor) cursors.push({ id, cursor: encodeURIComponent(page.next_cursor) });
  }
  const followed: string[] = [];
  const pending = new Map<string, string[]>();
  const blocked = new Set<string>();
  const expect = (res: HttpResponse, what: string) => {
    if ((res.status >= 200 && res.status < 300) || res.status === 403 || res.status === 404) return;
    throw new Error(`${what} → ${res.status} ${res.body.slice(0, 160)}`);
  };
  const writes = ctx.options.mixWrites;
  const readShare = 1 - writes;
  return {
    next: async () => {
      const roll = random();
      if (roll < writes) {
        const w = roll / writes;
        const me = caller();
        if (w < 0.45 || (w < 0.78 && followed.length === 0)) {
          const t = target();
          if (t === me) return;
          const res = await http.call('POST', `${G}/follow/${t}`, token(me));
          expect(res, 'follow');
          if (res.status === 200) {
            const status = (JSON.parse(res.body) as { status: string }).status;
            if (status === 'pending') pending.set(t, [...(pending.get(t) ?? []), me]);
            else followed.push(`${me}>${t}`);
          }
        } else if (w < 0.78) {
          const k = Math.floor(random() * followed.length);
          const [f, t] = followed[k]!.split('>') as [string, string];
          followed[k] = followed[followed.length - 1]!;
          followed.pop();
          expect(await http.call('DELETE', `${G}/follow/${t}`, token(f)), 'unfollow');
        } else if (w < 0.89) {
          const owner = pending.keys().next().value as string | undefined;
          if (!owner) {
            // Nothing to accept yet: ask a private account instead, which makes one.
            const t = [...privateIds][Math.floor(random() * Math.min(privateIds.size, 5000))]!;
            const res = await http.call('POST', `${G}/follow/${t}`, token(me));
            expect(res, 'follow private');
            if (res.status === 200) pending.set(t, [me]);
            return;
          }
          const queue = pending.get(owner)!;
          const follower = queue.shift()!;
          if (queue.length === 0) pending.delete(owner);
          expect(await http.call('POST', `${G}/requests/${follower}`, token(owner), { action: 'accept' }), 'accept');
          followed.push(`${follower}>${owner}`);
        } else {
          const t = target();
          if (t === me) return;
          const pair = `${me}>${t}`;
          if (blocked.delete(pair)) expect(await http.call('DELETE', `${G}/block/${t}`, token(me)), 'unblock');
          else {
            blocked.add(pair);
            expect(await http.call('POST', `${G}/block/${t}`, token(me)), 'block');
          }
        }
        return;
      }
      const r = (roll - writes) / readShare;
      const me = token(caller());
      let res: HttpResponse;
      if (r < 0.3) res = await http.call('GET', `${G}/followers/${target()}`, me);
      else if (r < 0.4) res = await http.call('GET', `${G}/following/${target()}`, me);
      else if (r < 0.5 && cursors.length > 0) {
        const c = cursors[Math.floor(random() * cursors.length)]!;
        res = await http.call('GET', `${G}/followers/${c.id}?cursor=${c.cursor}`, me);
      } else if (r < 0.62) res = await http.call('GET', `${G}/relationship/${target()}`, me);
      else if (r < 0.67) res = await http.call('GET', `${G}/relationships?ids=${Array.from({ length: 20 }, target).join(',')}`, me);
      else if (r < 0.9) res = await http.call('GET', `${G}/stats/${target()}`, me);
      else res = await http.call('GET', `${G}/known-followers/${target()}`, me);
      expect(res, 'read');
    },
  };
}

/**
 * Transactions committed or rolled back in the bench database so far (each statement outside a
 * transaction is one; the cumulative statistics lag by up to a second).
 */
async function postgresTransactions(ctx: BenchContext): Promise<number> {
  const client = new Client({ connectionString: ctx.databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ n: string }>(`SELECT (xact_commit + xact_rollback)::text AS n FROM pg_stat_database WHERE datname = current_database()`);
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** Resident set size of a process (VmRSS) and its peak (VmHWM), bytes. */
function rss(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => 1024 * Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** The owner a cache key belongs to (its first user id; pair keys by the viewer) and its family. */
function ownerOf(key: string): { family: string; owner: string | null } {
  const words = key.replace(/[{}]/g, '').split(':').slice(1);
  return { family: words.find((w) => !/^\d+$/.test(w) && !/^e\d+$/.test(w)) ?? 'other', owner: words.find((w) => /^\d+$/.test(w)) ?? null };
}

/** Redis bytes per cached active user: MEMORY USAGE of every key, by family, over the distinct owners. */
async function memory(ctx: BenchContext, redis: Redis, baseline: number, servicePid: number): Promise<void> {
  const used = (await redisUsedMemory(redis)) - baseline;
  const byFamily = new Map<string, number>();
  const owners = new Set<string>();
  let total = 0;
  let keys = 0;
  for (let cursor = '0'; ; ) {
    const [next, batch] = await redis.scan(cursor, 'MATCH', 'graph:*', 'COUNT', 1000);
    const pipeline = redis.pipeline();
    for (const k of batch) pipeline.memory('USAGE', k, 'SAMPLES', '0');
    const sizes = (await pipeline.exec()) ?? [];
    batch.forEach((k, i) => {
      const bytes = Number(sizes[i]?.[1] ?? 0);
      const { family, owner } = ownerOf(k);
      if (owner) owners.add(owner);
      byFamily.set(family, (byFamily.get(family) ?? 0) + bytes);
      total += bytes;
      keys++;
    });
    cursor = next;
    if (cursor === '0') break;
  }
  const perUser = total / Math.max(1, owners.size);
  const families = [...byFamily].sort((a, b) => b[1] - a[1]).map(([f, b]) => `${f} ${(b / Math.max(1, owners.size)).toFixed(0)}`).join(', ');
  ctx.tableRow({ scenario: 'memory', name: `Redis bytes per cached user (MEMORY USAGE, ${keys} keys, ${owners.size} users)`, limitName: 'seed estimate', limit: 5120, ratio: perUser / 5120, target: '≤ 1.00 (5 KB)', pass: perUser <= 5120, note: `${perUser.toFixed(0)} B/user; by family B/user: ${families}` });
  ctx.tableRow({ scenario: 'memory', name: 'Redis used_memory growth per cached user (INFO memory)', limitName: 'seed estimate', limit: 5120, ratio: used / Math.max(1, owners.size) / 5120, note: `${(used / Math.max(1, owners.size)).toFixed(0)} B/user, ${(used / 1048576).toFixed(1)} MiB in all` });
  const r = rss(servicePid);
  ctx.tableRow({ scenario: 'memory', name: 'service RSS after the mix', note: `${(r.rss / 1048576).toFixed(0)} MiB (peak ${(r.peak / 1048576).toFixed(0)} MiB)` });
}

async function mixOn(ctx: BenchContext, adapter: 'express' | 'fastify', measureMemory: boolean): Promise<void> {
  const redis = new Redis(ctx.redisUrl);
  // A clean cache: the memory figures are then this mix's entries only.
  await redis.flushdb();
  const baseline = await redisUsedMemory(redis);
  const service = await ctx.startService({ HTTP_ADAPTER: adapter });
  const http = new HttpClient(service.url, 512);
  try {
    const mix = await makeMix(ctx, http, 17);
    const limit = ctx.limits.get(`bare-node:${adapter}`) ?? ctx.limits.get('bare-node:fastify');
    ctx.load(await runLoad({ name: `mix warm-up (${adapter})`, concurrency: ctx.options.concurrency, durationMs: ctx.options.durationMs }, () => mix.next()));
    const before = await cacheCounters(http);
    const transactionsBefore = await postgresTransactions(ctx);
    const machine0 = cpuByProcess(service.pid);
    const closed = ctx.load(await runLoad({ name: `LinkBench mix, closed loop c=${ctx.options.concurrency}, ${adapter}`, concurrency: ctx.options.concurrency, durationMs: ctx.options.durationMs }, () => mix.next()));
    const machine = cpuPerCall(machine0, cpuByProcess(service.pid), closed.ops + closed.errors);
    const after = await cacheCounters(http);
    const hitRate = hitRateBetween(before, after);
    const perOp = ((await postgresTransactions(ctx)) - transactionsBefore) / Math.max(1, closed.ops);
    const fastify = adapter === 'fastify';
    ctx.tableRow(
      rowOf('mix', closed, {
        hitRate,
        ...(limit ? { limitName: 'bare Node', limit, ratio: closed.opsPerSec / limit } : {}),
        ...(fastify ? { target: '≥ 10,000/s, p99 ≤ 20', pass: closed.opsPerSec >= 10000 && closed.latency.p99 <= 20 && closed.errors === 0 } : {}),
        note: `${(ctx.options.mixWrites * 100).toFixed(0)} % writes; ${perOp.toFixed(2)} Postgres transactions per op (outbox relay included); hits by family: ${hitRatesByFamily(before, after)}; ${machine.note}`,
      }),
    );
    const rate = ctx.options.mixRate || Math.round(closed.opsPerSec * 0.7);
    const open = ctx.load(await runOpenLoad({ name: `LinkBench mix, fixed rate ${rate}/s, ${adapter}`, ratePerSec: rate, durationMs: ctx.options.durationMs }, () => mix.next()));
    ctx.tableRow(rowOf('mix', open, { ...(fastify ? { target: 'p99 ≤ 20', pass: open.latency.p99 <= 20 && open.errors === 0 } : {}), note: 'latency from each arrival\'s due time' }));
    if (measureMemory) await memory(ctx, redis, baseline, service.pid);
  } finally {
    redis.disconnect();
    http.close();
    await service.stop();
  }
}
