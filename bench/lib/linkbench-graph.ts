import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { Client } from 'pg';
import { rebuildAllGraphStats } from '@graph/infrastructure/postgres/graph-stats-rebuild';
import { GeneratedGraph } from './graph-generator';
import { seededRandom, Zipf } from './stats';

export interface LinkBenchShape {
  users: number;
  /** Share of users who follow nobody (LinkBench's out-degree: 45 % zero). */
  zeroShare: number;
  /** Share of users who follow 1..10 (with zeroShare, LinkBench's 98 % ≤ 10). */
  smallShare: number;
  /** Largest out-degree of the heavy tail. */
  maxOut: number;
  /** Zipf exponent of who gets followed: the top accounts are followed by a large share of users. */
  zipf: number;
  /** Share of accounts that are private (their new followers become requests to accept). */
  privateShare: number;
  seed: number;
}

const ID_BASE = 1_000_000n;

export const LINKBENCH_SHAPE: Omit<LinkBenchShape, 'users'> = { zeroShare: 0.45, smallShare: 0.53, maxOut: 5000, zipf: 1.0, privateShare: 0.05, seed: 42 };

/** An out-degree drawn from LinkBench's published shape: 45 % zero, 98 % ≤ 10, a power-law tail beyond. */
function outDegree(shape: LinkBenchShape, random: () => number): number {
  const u = random();
  if (u < shape.zeroShare) return 0;
  if (u < shape.zeroShare + shape.smallShare) {
    // 1..10, geometric: most users with any following follow a handful.
    return Math.min(10, 1 + Math.floor(Math.log(1 - random()) / Math.log(0.7)));
  }
  // Pareto(alpha 1.1) from 11 up: a few users follow thousands.
  return Math.min(shape.maxOut, Math.floor(11 / Math.pow(1 - random(), 1 / 1.1)));
}

/**
 * A follow graph with LinkBench's shape (Armstrong et al., SIGMOD 2013: out-degree 45 % zero,
 * 98 % ≤ 10, heavy tail), targets by Zipf popularity so a few celebrities are followed by a large
 * share of users, and `privateShare` private accounts. Bulk-written straight into Postgres; the
 * striped counters are rebuilt set-based. Ids are ID_BASE + 1..users.
 */
export async function generateLinkBenchGraph(databaseUrl: string, shape: LinkBenchShape, log: (m: string) => void): Promise<GeneratedGraph & { privateUsers: number }> {
  const random = seededRandom(shape.seed);
  const popularity = new Zipf(shape.users, shape.zipf, random);
  const idOfRank = Array.from({ length: shape.users }, (_, i) => i + 1);
  for (let i = idOfRank.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [idOfRank[i], idOfRank[j]] = [idOfRank[j]!, idOfRank[i]!];
  }
  const id = (n: number) => (ID_BASE + BigInt(n)).toString();
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const started = Date.now();
  let edges = 0;
  let followers: string[] = [];
  let followings: string[] = [];
  let ages: number[] = [];
  const flush = async () => {
    if (followers.length === 0) return;
    await client.query(
      `INSERT INTO follows (follower_id, following_id, status, created_at, updated_at)
       SELECT f, t, 'accepted', now() - make_interval(secs => a), now() - make_interval(secs => a)
         FROM unnest($1::bigint[], $2::bigint[], $3::float8[]) AS x(f, t, a)
       ON CONFLICT DO NOTHING`,
      [followers, followings, ages],
    );
    edges += followers.length;
    followers = [];
    followings = [];
    ages = [];
  };
  const heavyUsers: string[] = [];
  for (let u = 1; u <= shape.users; u++) {
    const count = outDegree(shape, random);
    const chosen = new Set<number>();
    for (let k = 0; k < count * 3 && chosen.size < count; k++) {
      const target = idOfRank[popularity.next()]!;
      if (target !== u) chosen.add(target);
    }
    if (chosen.size >= 1000) heavyUsers.push(id(u));
    for (const t of chosen) {
      followers.push(id(u));
      followings.push(id(t));
      ages.push(random() * 30 * 86400);
    }
    if (followers.length >= 50000) await flush();
  }
  await flush();
  // Private accounts among the less popular ones (celebrities stay public, as in practice).
  const privateIds: string[] = [];
  for (let r = Math.floor(shape.users * 0.01); r < shape.users; r++) if (random() < shape.privateShare) privateIds.push(id(idOfRank[r]!));
  await client.query(`INSERT INTO user_settings (user_id, is_private) SELECT unnest($1::bigint[]), true`, [privateIds]);
  await rebuildAllGraphStats(client);
  await client.query('VACUUM ANALYZE follows');
  await client.query('VACUUM ANALYZE user_graph_stats');
  await client.query('VACUUM ANALYZE user_settings');
  const top = await client.query<{ id: string }>(
    `SELECT following_id::text AS id FROM follows WHERE status = 'accepted' GROUP BY following_id ORDER BY count(*) DESC LIMIT 10`,
  );
  await client.end();
  log(`generated a LinkBench-shaped graph: ${shape.users} users, ${edges} edges, ${privateIds.length} private, ${heavyUsers.length} following ≥ 1,000, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    users: shape.users,
    edges,
    celebrities: top.rows.map((r) => r.id),
    heavyUsers,
    nextFreeId: ID_BASE + BigInt(shape.users) + 1_000_000n,
    privateUsers: privateIds.length,
  };
}

/** Loads an edge list from one of the shared SNAP files (`u v` per line, gzip), both directions, as ids ID_BASE + 1 + n. */
export async function loadSnapGraph(databaseUrl: string, path: string, log: (m: string) => void): Promise<GeneratedGraph> {
  const pairs: [number, number][] = [];
  let maxNode = 0;
  for await (const line of createInterface({ input: createReadStream(path).pipe(createGunzip()) })) {
    const m = /^(\d+)\s+(\d+)/.exec(line);
    if (!m) continue;
    const [a, b] = [Number(m[1]), Number(m[2])];
    pairs.push([a, b], [b, a]);
    maxNode = Math.max(maxNode, a, b);
  }
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  for (let i = 0; i < pairs.length; i += 50000) {
    const chunk = pairs.slice(i, i + 50000);
    await client.query(
      `INSERT INTO follows (follower_id, following_id, status, created_at, updated_at)
       SELECT f, t, 'accepted', now() - make_interval(secs => n), now() - make_interval(secs => n)
         FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS x(f, t, n)
       ON CONFLICT DO NOTHING`,
      [chunk.map((p) => (ID_BASE + 1n + BigInt(p[0])).toString()), chunk.map((p) => (ID_BASE + 1n + BigInt(p[1])).toString())],
    );
  }
  await rebuildAllGraphStats(client);
  await client.query('VACUUM ANALYZE follows');
  const top = await client.query<{ id: string }>(
    `SELECT following_id::text AS id FROM follows GROUP BY following_id ORDER BY count(*) DESC LIMIT 10`,
  );
  const heavy = await client.query<{ id: string }>(`SELECT follower_id::text AS id FROM follows GROUP BY follower_id HAVING count(*) >= 1000`);
  await client.end();
  log(`loaded ${path}: ${maxNode + 1} users, ${pairs.length} follows`);
  return { users: maxNode + 1, edges: pairs.length, celebrities: top.rows.map((r) => r.id), heavyUsers: heavy.rows.map((r) => r.id), nextFreeId: ID_BASE + BigInt(maxNode) + 1_000_000n };
}
