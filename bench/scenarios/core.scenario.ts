import { DataSource } from 'typeorm';
import { CursorCodec, EdgeList, GraphReadRepository, GraphWriteRepository, UserId, edgeListKey } from '@graph/domain';
import { createDataSource } from '@graph/infrastructure';
import { TypeOrmGraphReadRepository } from '@graph/infrastructure/postgres/typeorm-graph-read.repository';
import { epochMicrosSql } from '@graph/infrastructure/postgres/sql-runner';
import { TypeOrmGraphWriteRepository } from '@graph/infrastructure/postgres/typeorm-graph-write.repository';
import { BenchContext } from '../context';
import { addFollowers } from '../lib/graph-generator';
import { HttpClient } from '../lib/http-client';
import { LoadResult, runLoad } from '../lib/load';

/**
 * Issue 3's figures. Each HTTP figure stands next to its limit: the same repository call (the same
 * SQL, through pg) at the same concurrency without HTTP and Nest in front.
 *  - follows spread over many accounts vs follows of one account (counter contention): ≥ 0.80
 *  - first page vs a page at depth 500,000 of a 1M-follower account (keyset): same cost
 *  - heavy-user suggestions on a cache miss: p95 ≤ 20 ms
 */
export async function coreScenario(ctx: BenchContext): Promise<void> {
  const db = createDataSource(ctx.databaseUrl, ctx.options.concurrency, 30000);
  await db.initialize();
  const writes = new TypeOrmGraphWriteRepository(db);
  const reads = new TypeOrmGraphReadRepository(db);
  const service = await ctx.startService();
  const http = new HttpClient(service.url);
  try {
    await follows(ctx, http, writes);
    await pages(ctx, http, reads, db);
    await suggestions(ctx, http, reads);
  } finally {
    http.close();
    await service.stop();
    await db.destroy();
  }
}

async function follows(ctx: BenchContext, http: HttpClient, writes: GraphWriteRepository): Promise<void> {
  const { concurrency, durationMs } = ctx.options;
  const users = ctx.graph.users;
  const someone = () => (1_000_000 + 1 + Math.floor(Math.random() * users)).toString() as UserId;
  // Fresh followers for every call so each follow is a real insert; tokens made ahead of time.
  const followers = ctx.freshIds(400_000) as UserId[];
  const tokens = new Map<string, string>();
  let next = 0;
  const follower = () => followers[next++ % followers.length]!;
  const tokenOf = (id: string) => {
    let t = tokens.get(id);
    if (!t) tokens.set(id, (t = ctx.token(id)));
    return t;
  };
  for (let i = 0; i < 100_000; i++) tokenOf(followers[i]!);

  const [celebrityHttp, celebritySql] = ctx.freshIds(2) as UserId[];
  const load = (name: string, op: () => Promise<unknown>) =>
    runLoad({ name, concurrency, durationMs, warmup: 50 }, async () => {
      await op();
    }).then((r) => ctx.load(r));

  const sqlSpread = await load('sql follow, spread', () => writes.follow(follower(), someone()));
  const sqlOne = await load('sql follow, one account', () => writes.follow(follower(), celebritySql!));
  const httpSpread = await load('http follow, spread', () => {
    const f = follower();
    return http.ok('POST', `/api/v1/graph/follow/${someone()}`, tokenOf(f));
  });
  const httpOne = await load('http follow, one account', () => {
    const f = follower();
    return http.ok('POST', `/api/v1/graph/follow/${celebrityHttp}`, tokenOf(f));
  });
  ratio(ctx, 'follows', 'one account / spread (sql)', sqlOne, sqlSpread, 0.8);
  ratio(ctx, 'follows', 'one account / spread (http)', httpOne, httpSpread, 0.8);
  ctx.record({ scenario: 'follows', metric: 'http spread vs its sql limit', value: httpSpread.opsPerSec, unit: 'follows/s', limit: sqlSpread.opsPerSec, ratio: httpSpread.opsPerSec / sqlSpread.opsPerSec });
}

function ratio(ctx: BenchContext, scenario: string, metric: string, a: LoadResult, b: LoadResult, atLeast: number): void {
  const r = a.opsPerSec / b.opsPerSec;
  ctx.record({ scenario, metric, value: a.opsPerSec, unit: 'ops/s', limit: b.opsPerSec, ratio: r, target: `≥ ${atLeast.toFixed(2)}`, pass: r >= atLeast });
}

async function pages(ctx: BenchContext, http: HttpClient, reads: GraphReadRepository, db: DataSource): Promise<void> {
  const depth = Math.min(500_000, Math.floor(ctx.options.deepFollowers / 2));
  const [celebrity] = ctx.freshIds(1) as UserId[];
  const firstFollower = BigInt(ctx.freshIds(1)[0]!) + 1n;
  ctx.freshIds(ctx.options.deepFollowers + 1);
  await addFollowers(ctx.databaseUrl, celebrity!, firstFollower, ctx.options.deepFollowers);
  const list: EdgeList = { kind: 'followers', userId: celebrity! };
  const codec = new CursorCodec('bench-cursor-secret');
  // Positions at a shallow depth (past the cache's window, so both pages come from Postgres) and at `depth`.
  const positionAt = async (offset: number) => {
    const [row] = (await db.query(
      `SELECT ${epochMicrosSql('created_at')} AS us, follower_id::text AS id
         FROM follows WHERE following_id = $1 AND status = 'accepted'
        ORDER BY created_at DESC, follower_id DESC OFFSET $2 LIMIT 1`,
      [celebrity, offset],
    )) as { us: string; id: string }[];
    return { createdAtUs: row!.us, userId: row!.id as UserId };
  };
  const shallow = await positionAt(1000);
  const deep = await positionAt(depth);
  const cursorOf = (p: typeof deep) => encodeURIComponent(codec.encode(p, edgeListKey(list)));
  const token = ctx.token(ctx.freshIds(1)[0]!);
  const c = Math.min(8, ctx.options.concurrency);
  const durationMs = ctx.options.durationMs / 2;
  const run = (name: string, op: () => Promise<unknown>) =>
    runLoad({ name, concurrency: c, durationMs, warmup: 20 }, async () => {
      await op();
    }).then((r) => ctx.load(r));

  const sqlFirst = await run('sql followers page 1', () => reads.listEdges(list, { limit: 20, after: null }));
  const sqlDeep = await run(`sql followers page at depth ${depth}`, () => reads.listEdges(list, { limit: 20, after: deep }));
  const offset = await runLoad({ name: `sql OFFSET ${depth} (for contrast)`, concurrency: 1, operations: 5 }, async () => {
    await db.query(`SELECT follower_id, created_at FROM follows WHERE following_id = $1 AND status = 'accepted' ORDER BY created_at DESC, follower_id DESC OFFSET $2 LIMIT 20`, [celebrity, depth]);
  }).then((r) => ctx.load(r));
  await run('http followers page 1 (cached window)', () => http.ok('GET', `/api/v1/graph/followers/${celebrity}?limit=20`, token));
  const httpShallow = await run('http followers page at depth 1,000 (Postgres)', () =>
    http.ok('GET', `/api/v1/graph/followers/${celebrity}?limit=20&cursor=${cursorOf(shallow)}`, token),
  );
  const httpDeep = await run(`http followers page at depth ${depth} (Postgres)`, () =>
    http.ok('GET', `/api/v1/graph/followers/${celebrity}?limit=20&cursor=${cursorOf(deep)}`, token),
  );
  const sqlRatio = sqlDeep.latency.p50 / sqlFirst.latency.p50;
  ctx.record({ scenario: 'pages', metric: `sql deep/first p50 latency (depth ${depth})`, value: sqlDeep.latency.p50, unit: 'ms', limit: sqlFirst.latency.p50, ratio: sqlRatio, target: '≤ 2.0', pass: sqlRatio <= 2 });
  const httpRatio = httpDeep.opsPerSec / httpShallow.opsPerSec;
  ctx.record({ scenario: 'pages', metric: `http depth ${depth} / depth 1,000 throughput`, value: httpDeep.opsPerSec, unit: 'pages/s', limit: httpShallow.opsPerSec, ratio: httpRatio, target: '≥ 0.80', pass: httpRatio >= 0.8 });
  ctx.record({ scenario: 'pages', metric: `OFFSET ${depth} p50 vs keyset p50`, value: offset.latency.p50, unit: 'ms', limit: sqlDeep.latency.p50, ratio: offset.latency.p50 / sqlDeep.latency.p50 });
}

async function suggestions(ctx: BenchContext, http: HttpClient, reads: GraphReadRepository): Promise<void> {
  const heavy = ctx.graph.heavyUsers as UserId[];
  const half = Math.floor(heavy.length / 2);
  const bounds = { recentFollowings: 200, perFollowing: 50 };
  let i = 0;
  const sql = ctx.load(
    // Latency, not throughput: one request per core, so the figure is not the bench queueing on itself.
    await runLoad({ name: 'sql suggestions, heavy users (1,200 followings)', concurrency: 2, operations: half }, async () => {
      await reads.getRecommendations(heavy[i++]!, 10, bounds);
    }),
  );
  // Other heavy users over HTTP, each asked once, so every call is a cache miss.
  let j = half;
  const viaHttp = ctx.load(
    await runLoad({ name: 'http suggestions, heavy users, cache miss', concurrency: 2, operations: heavy.length - half }, async () => {
      const id = heavy[j++]!;
      await http.ok('GET', '/api/v1/graph/recommendations?limit=10', ctx.token(id));
    }),
  );
  ctx.record({ scenario: 'suggestions', metric: 'sql p95 heavy user', value: sql.latency.p95, unit: 'ms', target: '≤ 20 ms', pass: sql.latency.p95 <= 20 });
  ctx.record({ scenario: 'suggestions', metric: 'http p95 heavy user, miss', value: viaHttp.latency.p95, unit: 'ms', limit: sql.latency.p95, target: '≤ 20 ms', pass: viaHttp.latency.p95 <= 20 });
}
