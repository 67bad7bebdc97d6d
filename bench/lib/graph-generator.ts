import { Client } from 'pg';
import { rebuildAllGraphStats } from '@graph/infrastructure/postgres/graph-stats-rebuild';
import { seededRandom, Zipf } from './stats';

export interface GeneratedGraph {
  users: number;
  edges: number;
  /** Ids of the most-followed accounts, most first. */
  celebrities: string[];
  /** Ids of users following 1,000+ accounts (heavy users). */
  heavyUsers: string[];
  /** First id not used by the generated graph (scenarios take fresh ids from here). */
  nextFreeId: bigint;
}

export interface GraphShape {
  users: number;
  /** Mean followings per ordinary user. */
  meanFollowings: number;
  /** Zipf exponent of target popularity (heavy tail: a few accounts get a large share). */
  zipf: number;
  /** How many users follow `heavyFollowings` accounts each. */
  heavyUsers: number;
  heavyFollowings: number;
  seed: number;
}

const ID_BASE = 1_000_000n;

/**
 * Writes a heavy-tailed follow graph straight into Postgres (bulk INSERT from arrays, then the
 * striped counters rebuilt set-based), far faster than through the API. Ids are ID_BASE + 1..users.
 * Edge created_at values are spread over the past 30 days so lists have a realistic order.
 */
export async function generateGraph(databaseUrl: string, shape: GraphShape, log: (m: string) => void): Promise<GeneratedGraph> {
  const random = seededRandom(shape.seed);
  const popularity = new Zipf(shape.users, shape.zipf, random);
  // Rank r → a shuffled user id, so popularity is not tied to id order.
  const idOfRank = Array.from({ length: shape.users }, (_, i) => i + 1);
  for (let i = idOfRank.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [idOfRank[i], idOfRank[j]] = [idOfRank[j]!, idOfRank[i]!];
  }
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
    const heavy = u <= shape.heavyUsers;
    const count = heavy ? shape.heavyFollowings : Math.max(1, Math.round(-Math.log(1 - random()) * shape.meanFollowings));
    const chosen = new Set<number>();
    for (let k = 0; k < count * 3 && chosen.size < count; k++) {
      const target = heavy ? 1 + Math.floor(random() * shape.users) : idOfRank[popularity.next()]!;
      if (target !== u) chosen.add(target);
    }
    const follower = (ID_BASE + BigInt(u)).toString();
    if (heavy) heavyUsers.push(follower);
    for (const t of chosen) {
      followers.push(follower);
      followings.push((ID_BASE + BigInt(t)).toString());
      ages.push(random() * 30 * 86400);
    }
    if (followers.length >= 50000) await flush();
  }
  await flush();
  await rebuildAllGraphStats(client);
  await client.query('VACUUM ANALYZE follows');
  await client.query('VACUUM ANALYZE user_graph_stats');
  const top = await client.query<{ id: string }>(
    `SELECT following_id::text AS id FROM follows WHERE status = 'accepted' GROUP BY following_id ORDER BY count(*) DESC LIMIT 10`,
  );
  await client.end();
  log(`generated ${shape.users} users, ${edges} edges in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    users: shape.users,
    edges,
    celebrities: top.rows.map((r) => r.id),
    heavyUsers,
    nextFreeId: ID_BASE + BigInt(shape.users) + 1_000_000n,
  };
}

/** Appends `count` followers (fresh ids from `firstId`) to one account, for deep-page scenarios. */
export async function addFollowers(databaseUrl: string, accountId: string, firstId: bigint, count: number): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(
    `INSERT INTO follows (follower_id, following_id, status, created_at, updated_at)
     SELECT $2::bigint + g, $1::bigint, 'accepted', now() - make_interval(secs => g / 10.0), now()
       FROM generate_series(0, $3::int - 1) AS g
     ON CONFLICT DO NOTHING`,
    [accountId, firstId.toString(), count],
  );
  await rebuildAllGraphStats(client);
  await client.query('VACUUM ANALYZE follows');
  await client.end();
}
