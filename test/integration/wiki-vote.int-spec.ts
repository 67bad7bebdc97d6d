import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { EdgeList, UserId } from '@graph/domain';
import { copyFromStdin, createDataSource, rebuildGraphStats } from '@graph/infrastructure';
import { TypeOrmGraphReadRepository } from '@graph/infrastructure/postgres/typeorm-graph-read.repository';
import { testInfra } from '../setup/test-infra';

/**
 * SNAP wiki-Vote (7,115 users, 103,689 directed edges; "A B" read as A follows B) loaded with COPY,
 * counters rebuilt by the shared helper, then counts, common followers and suggestions checked
 * against answers computed here from a plain in-memory graph.
 */
const DATASET = '/work/shared/datasets/wiki-Vote.txt.gz';
// Wiki ids are small; shifted far above every other test's ids, so the rows are this test's alone.
const OFFSET = 5_000_000_000_000_000_000n;
const T0_US = 1_735_689_600_000_000n; // 2025-01-01T00:00:00Z

interface Edge {
  from: string;
  to: string;
  us: bigint;
}

/** The independent model: adjacency sets and the time of each edge. */
class Graph {
  readonly out = new Map<string, Map<string, bigint>>();
  readonly in = new Map<string, Map<string, bigint>>();

  add(e: Edge): void {
    if (!this.out.has(e.from)) this.out.set(e.from, new Map());
    if (!this.in.has(e.to)) this.in.set(e.to, new Map());
    this.out.get(e.from)!.set(e.to, e.us);
    this.in.get(e.to)!.set(e.from, e.us);
  }

  followers(u: string): Map<string, bigint> {
    return this.in.get(u) ?? new Map();
  }

  following(u: string): Map<string, bigint> {
    return this.out.get(u) ?? new Map();
  }

  /** Newest first, ties by the larger id: the order the service promises. */
  static newestFirst(entries: [string, bigint][]): string[] {
    return entries
      .sort(([a, ta], [b, tb]) => (ta !== tb ? (ta > tb ? -1 : 1) : BigInt(a) > BigInt(b) ? -1 : 1))
      .map(([id]) => id);
  }

  /** Friend-of-friend over the `recent` newest followings and each one's `per` newest followings. */
  suggestions(u: string, recent: number, per: number, limit: number): { userId: string; mutualCount: number }[] {
    const mine = this.following(u);
    const counts = new Map<string, number>();
    for (const f of Graph.newestFirst([...mine]).slice(0, recent)) {
      for (const c of Graph.newestFirst([...this.following(f)]).slice(0, per)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    return [...counts]
      .filter(([c]) => c !== u && !mine.has(c))
      .sort(([a, na], [b, nb]) => nb - na || (BigInt(a) < BigInt(b) ? -1 : 1))
      .slice(0, limit)
      .map(([userId, mutualCount]) => ({ userId, mutualCount }));
  }
}

describe('wiki-Vote loaded with COPY', () => {
  let db: DataSource;
  let repo: TypeOrmGraphReadRepository;
  const graph = new Graph();
  const users = new Set<string>();

  const id = (wikiId: number) => (OFFSET + BigInt(wikiId)).toString() as UserId;

  beforeAll(async () => {
    db = createDataSource(testInfra.databaseUrl, 4, 120000);
    await db.initialize();
    const lines = gunzipSync(readFileSync(DATASET)).toString('utf8').split('\n');
    const edges: Edge[] = [];
    for (const line of lines) {
      if (line.startsWith('#') || line.trim() === '') continue;
      const [a, b] = line.trim().split(/\s+/);
      // Each edge 1.000001 s after the previous, in file order (so sub-millisecond parts occur).
      edges.push({ from: id(Number(a)), to: id(Number(b)), us: T0_US + BigInt(edges.length) * 1_000_001n });
    }
    expect(edges).toHaveLength(103_689);
    for (const e of edges) {
      graph.add(e);
      users.add(e.from);
      users.add(e.to);
    }
    expect(users.size).toBe(7_115);

    const iso = (us: bigint) => new Date(Number(us / 1000n)).toISOString().replace('Z', `${(us % 1000n).toString().padStart(3, '0')}+00`);
    function* rows(): Generator<string> {
      for (let i = 0; i < edges.length; i += 5000) {
        yield edges
          .slice(i, i + 5000)
          .map((e) => `${e.from}\t${e.to}\taccepted\t${iso(e.us)}\n`)
          .join('');
      }
    }
    const copied = await copyFromStdin(db, `COPY follows (follower_id, following_id, status, created_at) FROM STDIN`, rows());
    expect(copied).toBe(103_689);
    await rebuildGraphStats(db, [...users]);
    await db.query(`ANALYZE follows`);
    repo = new TypeOrmGraphReadRepository(db);
  }, 180_000);

  afterAll(async () => {
    const [lo, hi] = [OFFSET.toString(), (OFFSET + 10_000n).toString()];
    await db.query(`DELETE FROM follows WHERE follower_id BETWEEN $1 AND $2`, [lo, hi]);
    await db.query(`DELETE FROM user_graph_stats WHERE user_id BETWEEN $1 AND $2`, [lo, hi]);
    await db.destroy();
  });

  async function all(list: EdgeList, limit = 100): Promise<string[]> {
    const out: string[] = [];
    let after = null;
    do {
      const slice = await repo.listEdges(list, { limit, after });
      out.push(...slice.items.map((i) => i.userId));
      after = slice.next;
    } while (after);
    return out;
  }

  // The most followed users, the most following, and a few ordinary ones.
  const sample = () => {
    const byIn = [...graph.in].sort((a, b) => b[1].size - a[1].size).map(([u]) => u);
    const byOut = [...graph.out].sort((a, b) => b[1].size - a[1].size).map(([u]) => u);
    return [...byIn.slice(0, 3), ...byOut.slice(0, 3), id(30), id(3), id(8297), id(4037)];
  };

  it('has exact counters for every user (the striped slots summed), equal to a recount', async () => {
    const stats = await repo.getStats([...users] as UserId[]);
    const wrong = stats.filter(
      (s) => s.followerCount !== graph.followers(s.userId).size || s.followingCount !== graph.following(s.userId).size || s.pendingRequestsCount !== 0,
    );
    expect(wrong).toEqual([]);
    // Other tests' users may share the database: keep the order among this graph's users.
    const top = (await repo.mostFollowed(1000)).filter((u) => users.has(u)).slice(0, 3);
    const expected = [...graph.in].sort((a, b) => b[1].size - a[1].size || (BigInt(a[0]) < BigInt(b[0]) ? -1 : 1)).slice(0, 3);
    expect(top).toEqual(expected.map(([u]) => u));
  });

  it('lists followers and following of sample users completely, newest first, with totals', async () => {
    for (const u of sample() as UserId[]) {
      expect(await all({ kind: 'followers', userId: u })).toEqual(Graph.newestFirst([...graph.followers(u)]));
      expect(await all({ kind: 'following', userId: u })).toEqual(Graph.newestFirst([...graph.following(u)]));
      expect(await repo.countEdges({ kind: 'followers', userId: u })).toBe(graph.followers(u).size);
    }
  });

  it('finds the common followers of pairs of users, and known followers and mutuals', async () => {
    const s = sample() as UserId[];
    const pairs: [UserId, UserId][] = [
      [s[0]!, s[1]!],
      [s[1]!, s[2]!],
      [s[0]!, s[3]!],
      [s[6]!, s[0]!],
    ];
    let nonEmpty = 0;
    for (const [a, b] of pairs) {
      const fb = graph.followers(b);
      const expected = Graph.newestFirst([...graph.followers(a)].filter(([f]) => fb.has(f)));
      if (expected.length > 0) nonEmpty++;
      const list: EdgeList = { kind: 'common_followers', userA: a, userB: b };
      expect(await all(list, 37)).toEqual(expected);
      expect(await repo.countEdges(list)).toBe(expected.length);
    }
    expect(nonEmpty).toBeGreaterThan(0);

    for (const [viewer, u] of pairs) {
      const mine = graph.following(viewer);
      const known = Graph.newestFirst([...graph.followers(u)].filter(([f]) => mine.has(f)));
      expect(await all({ kind: 'known_followers', viewerId: viewer, userId: u })).toEqual(known);
      expect(await repo.countEdges({ kind: 'known_followers', viewerId: viewer, userId: u })).toBe(known.length);
      const back = graph.following(u);
      const mutuals = Graph.newestFirst([...graph.followers(u)].filter(([f]) => back.has(f)));
      expect(await all({ kind: 'mutuals', userId: u })).toEqual(mutuals);
      expect(await repo.countEdges({ kind: 'mutuals', userId: u })).toBe(mutuals.length);
    }
  });

  it('suggests exactly the friend-of-friend answer when the bounds exceed the data, and the bounded one otherwise', async () => {
    const unbounded = { recentFollowings: 100_000, perFollowing: 100_000 };
    const bounded = { recentFollowings: 20, perFollowing: 30 };
    let checked = 0;
    for (const u of sample() as UserId[]) {
      if (graph.following(u).size === 0) continue;
      checked++;
      expect(await repo.getRecommendations(u, 50, unbounded)).toEqual(graph.suggestions(u, 100_000, 100_000, 50));
      expect(await repo.getRecommendations(u, 10, bounded)).toEqual(graph.suggestions(u, 20, 30, 10));
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});
