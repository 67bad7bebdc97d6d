import { STATS_SLOTS } from './graph-stats-slots';
import { SqlRunner } from './sql-runner';

/**
 * The counter rows of a set of users, recounted from the edges: for each user and slot, accepted
 * followers, accepted followings and pending incoming requests. The slot rule is the write side's
 * (see the migration): edge A→B counts in slot (B mod 16) of A's following_count and in slot
 * (A mod 16) of B's follower_count / pending_requests_count.
 */
export const RECOUNT_FOR_USERS = `
  SELECT user_id, slot,
         SUM(followers)::bigint AS follower_count,
         SUM(followings)::bigint AS following_count,
         SUM(pending)::bigint AS pending_requests_count
    FROM (
      SELECT f.following_id AS user_id, (f.follower_id % ${STATS_SLOTS})::smallint AS slot,
             (f.status = 'accepted')::int AS followers, 0 AS followings, (f.status = 'pending')::int AS pending
        FROM follows f
       WHERE f.following_id = ANY($1::bigint[]) AND f.status IN ('accepted', 'pending')
      UNION ALL
      SELECT f.follower_id, (f.following_id % ${STATS_SLOTS})::smallint, 0, 1, 0
        FROM follows f
       WHERE f.follower_id = ANY($1::bigint[]) AND f.status = 'accepted'
    ) counted
   GROUP BY user_id, slot`;

/**
 * Sets the striped counter rows of `userIds` from a recount of their edges (bulk import, test
 * seeding, the admin repair). One statement, so it sees one snapshot; concurrent follows of these
 * users committed after that snapshot would be lost from the recount, so run it when writes to
 * these users are quiet or inside a SERIALIZABLE transaction that retries.
 * Batches of a few thousand users keep each statement short.
 */
export async function rebuildGraphStats(db: SqlRunner, userIds: readonly string[], batchSize = 5000): Promise<void> {
  const unique = [...new Set(userIds)];
  for (let i = 0; i < unique.length; i += batchSize) {
    const batch = unique.slice(i, i + batchSize);
    // Upsert the recounted slots and zero the others: the two parts touch disjoint rows, so one
    // statement does both without ordering concerns between them.
    await db.query(
      `WITH recount AS (${RECOUNT_FOR_USERS}),
            upserted AS (
              INSERT INTO user_graph_stats (user_id, slot, follower_count, following_count, pending_requests_count, updated_at)
              SELECT user_id, slot, follower_count, following_count, pending_requests_count, now() FROM recount
              ON CONFLICT (user_id, slot) DO UPDATE
                 SET follower_count = EXCLUDED.follower_count,
                     following_count = EXCLUDED.following_count,
                     pending_requests_count = EXCLUDED.pending_requests_count,
                     updated_at = EXCLUDED.updated_at
              RETURNING 1)
       UPDATE user_graph_stats s
          SET follower_count = 0, following_count = 0, pending_requests_count = 0, updated_at = now()
        WHERE s.user_id = ANY($1::bigint[])
          AND (s.follower_count, s.following_count, s.pending_requests_count) <> (0, 0, 0)
          AND NOT EXISTS (SELECT 1 FROM recount r WHERE r.user_id = s.user_id AND r.slot = s.slot)`,
      [batch],
    );
  }
}

/** Every user's counters recounted from scratch (after a bulk load into empty tables). */
export async function rebuildAllGraphStats(db: SqlRunner): Promise<void> {
  await db.query(`TRUNCATE user_graph_stats`);
  await db.query(
    `INSERT INTO user_graph_stats (user_id, slot, follower_count, following_count, pending_requests_count, updated_at)
     SELECT user_id, slot, SUM(followers), SUM(followings), SUM(pending), now()
       FROM (
         SELECT following_id AS user_id, (follower_id % ${STATS_SLOTS})::smallint AS slot,
                (status = 'accepted')::int AS followers, 0 AS followings, (status = 'pending')::int AS pending
           FROM follows WHERE status IN ('accepted', 'pending')
         UNION ALL
         SELECT follower_id, (following_id % ${STATS_SLOTS})::smallint, 0, 1, 0
           FROM follows WHERE status = 'accepted'
       ) counted
      GROUP BY user_id, slot`,
  );
}
