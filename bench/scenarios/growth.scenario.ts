import { Client } from 'pg';
import { CursorCodec, EdgeList, UserId, edgeListKey } from '@graph/domain';
import { createDataSource } from '@graph/infrastructure';
import { TypeOrmGraphReadRepository } from '@graph/infrastructure/postgres/typeorm-graph-read.repository';
import { epochMicrosSql } from '@graph/infrastructure/postgres/sql-runner';
import { rebuildAllGraphStats } from '@graph/infrastructure/postgres/graph-stats-rebuild';
import { BenchContext, Scenario } from '../context';
import { HttpClient } from '../lib/http-client';
import { LoadResult, runLoad } from '../lib/load';
import { rowOf } from '../lib/report';
import { accountWithFollowers, followUnfollow, writers } from '../lib/write-load';

const G = '/api/v1/graph';

/**
 * Cost as the work grows, on the first adapter: follow + unfollow of accounts with 1 k, 100 k and
 * 1 M followers (should be flat: striped counters, no per-follower work), a followers page at
 * depth 0 and 500,000 (flat: keyset), and suggestions for users following 10, 1,000 and 10,000
 * accounts (bounded: only the newest followings are explored).
 */
export const growthScenario: Scenario = async (ctx) => {
  const sizes = [1_000, 100_000, ctx.options.deepFollowers];
  const accounts: string[] = [];
  for (const n of sizes) accounts.push(await accountWithFollowers(ctx, n));
  const service = await ctx.startService({ HTTP_ADAPTER: ctx.options.adapters[0]! });
  const http = new HttpClient(service.url, ctx.options.concurrency + 4);
  try {
    await follows(ctx, http, sizes, accounts);
    await pages(ctx, http, accounts[2]!);
    await suggestions(ctx, http);
  } finally {
    http.close();
    await service.stop();
  }
};

async function follows(ctx: BenchContext, http: HttpClient, sizes: number[], accounts: string[]): Promise<void> {
  const pool = writers(ctx, 10000);
  let base: LoadResult | undefined;
  for (let i = 0; i < sizes.length; i++) {
    const r = ctx.load(
      await runLoad({ name: `follow+unfollow, account with ${sizes[i]!.toLocaleString('en-US')} followers`, concurrency: ctx.options.concurrency, durationMs: ctx.options.durationMs / 2, warmup: 100 }, followUnfollow(http, pool, () => accounts[i]!)),
    );
    base ??= r;
    const ratio = r.opsPerSec / base.opsPerSec;
    ctx.tableRow(rowOf('growth', r, i === 0 ? {} : { limitName: '1k followers', limit: base.opsPerSec, ratio, target: '≥ 0.80 (flat)', pass: ratio >= 0.8 }));
  }
}

async function pages(ctx: BenchContext, http: HttpClient, account: string): Promise<void> {
  const depth = Math.min(500_000, ctx.options.deepFollowers - 100);
  const db = createDataSource(ctx.databaseUrl, 8, 30000);
  await db.initialize();
  try {
    const reads = new TypeOrmGraphReadRepository(db);
    const list: EdgeList = { kind: 'followers', userId: account as UserId };
    const positionAt = async (offset: number) => {
      const [row] = (await db.query(
        `SELECT ${epochMicrosSql('created_at')} AS us, follower_id::text AS id FROM follows
          WHERE following_id = $1 AND status = 'accepted' ORDER BY created_at DESC, follower_id DESC OFFSET $2 LIMIT 1`,
        [account, offset],
      )) as { us: string; id: string }[];
      return { createdAtUs: row!.us, userId: row!.id as UserId };
    };
    const deep = await positionAt(depth);
    const shallow = await positionAt(1000);
    const codec = new CursorCodec('bench-cursor-secret');
    const cursor = (p: typeof deep) => encodeURIComponent(codec.encode(p, edgeListKey(list)));
    const token = ctx.token(ctx.freshIds(1)[0]!);
    const opts = { concurrency: 8, durationMs: ctx.options.durationMs / 2, warmup: 20 };
    const sqlFirst = ctx.load(await runLoad({ name: 'sql followers page at depth 0', ...opts }, async () => void (await reads.listEdges(list, { limit: 20, after: null }))));
    const sqlDeep = ctx.load(await runLoad({ name: `sql followers page at depth ${depth.toLocaleString('en-US')}`, ...opts }, async () => void (await reads.listEdges(list, { limit: 20, after: deep }))));
    ctx.tableRow(rowOf('growth', sqlFirst));
    ctx.tableRow(rowOf('growth', sqlDeep, { limitName: 'depth 0', limit: sqlFirst.opsPerSec, ratio: sqlDeep.opsPerSec / sqlFirst.opsPerSec, target: '≥ 0.80 (flat)', pass: sqlDeep.opsPerSec / sqlFirst.opsPerSec >= 0.8 }));
    const httpShallow = ctx.load(await runLoad({ name: 'http followers page at depth 1,000 (Postgres)', ...opts }, async () => void (await http.ok('GET', `${G}/followers/${account}?limit=20&cursor=${cursor(shallow)}`, token))));
    const httpDeep = ctx.load(await runLoad({ name: `http followers page at depth ${depth.toLocaleString('en-US')} (Postgres)`, ...opts }, async () => void (await http.ok('GET', `${G}/followers/${account}?limit=20&cursor=${cursor(deep)}`, token))));
    ctx.tableRow(rowOf('growth', httpShallow));
    ctx.tableRow(rowOf('growth', httpDeep, { limitName: 'depth 1,000', limit: httpShallow.opsPerSec, ratio: httpDeep.opsPerSec / httpShallow.opsPerSec, target: '≥ 0.80 (flat)', pass: httpDeep.opsPerSec / httpShallow.opsPerSec >= 0.8 }));
  } finally {
    await db.destroy();
  }
}

/** Users following `n` accounts each (random accounts of the graph that themselves follow someone, so friends-of-friends exist). */
async function usersFollowing(ctx: BenchContext, n: number, users: number): Promise<string[]> {
  const ids = ctx.freshIds(users);
  const client = new Client({ connectionString: ctx.databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO follows (follower_id, following_id, status, created_at, updated_at)
       SELECT u, t.id, 'accepted', now() - make_interval(secs => random() * 86400 * 30), now()
         FROM unnest($1::bigint[]) AS u
        CROSS JOIN LATERAL (SELECT DISTINCT follower_id AS id FROM follows TABLESAMPLE SYSTEM (20) WHERE follower_id <> u LIMIT $2) AS t
       ON CONFLICT DO NOTHING`,
      [ids, n],
    );
    await rebuildAllGraphStats(client);
    // As autovacuum would before long: index-only scans need the visibility map, and the planner
    // fresh statistics (without them a heavy user's own followings were read from the heap).
    await client.query('VACUUM ANALYZE follows');
    await client.query('VACUUM ANALYZE user_graph_stats');
  } finally {
    await client.end();
  }
  return ids;
}

/** Users asked for suggestions over HTTP per size (each once: a miss), after the warm-up ones. */
const SUGGESTION_USERS = 40;
const SUGGESTION_WARMUP = 8;

async function suggestions(ctx: BenchContext, http: HttpClient): Promise<void> {
  const db = createDataSource(ctx.databaseUrl, 4, 30000);
  await db.initialize();
  try {
    const reads = new TypeOrmGraphReadRepository(db);
    const bounds = { recentFollowings: 200, perFollowing: 50 };
    let base: LoadResult | undefined;
    for (const n of [10, 1_000, 10_000]) {
      const users = await usersFollowing(ctx, n, SUGGESTION_USERS + SUGGESTION_WARMUP);
      let i = 0;
      const sql = ctx.load(await runLoad({ name: `sql suggestions, users following ${n.toLocaleString('en-US')}`, concurrency: 2, operations: 200 }, async () => void (await reads.getRecommendations(users[i++ % users.length]! as UserId, 10, bounds))));
      let j = 0;
      // Each user asked once over HTTP: every call is a cache miss. The first few warm the service's
      // pooled connections on these rows (a fresh backend's catalog caches, its first touches of shared buffers).
      const viaHttp = ctx.load(await runLoad({ name: `http suggestions (cache miss), users following ${n.toLocaleString('en-US')}`, concurrency: 2, operations: SUGGESTION_USERS, warmup: SUGGESTION_WARMUP }, async () => void (await http.ok('GET', `${G}/recommendations?limit=10`, ctx.token(users[j++]!)))));
      // The same users again: every call a hit (the list and the first ten's samples from Redis).
      let k = 0;
      const hits = ctx.load(await runLoad({ name: `http suggestions (cache hit), users following ${n.toLocaleString('en-US')}`, concurrency: 2, operations: SUGGESTION_USERS }, async () => void (await http.ok('GET', `${G}/recommendations?limit=10`, ctx.token(users[SUGGESTION_WARMUP + (k++ % SUGGESTION_USERS)]!)))));
      base ??= sql;
      const ratio = sql.latency.p95 / base.latency.p95;
      ctx.tableRow(rowOf('growth', sql, n === 10 ? {} : { limitName: 'p95 at 10', limit: base.latency.p95, ratio, target: 'p95 ≤ 20 ms', pass: sql.latency.p95 <= 20 }));
      ctx.tableRow(rowOf('growth', viaHttp, { target: 'p95 ≤ 20 ms', pass: viaHttp.latency.p95 <= 20 }));
      ctx.tableRow(rowOf('growth', hits, { limitName: 'miss p95', limit: viaHttp.latency.p95, ratio: hits.latency.p95 / viaHttp.latency.p95 }));
    }
  } finally {
    await db.destroy();
  }
}
