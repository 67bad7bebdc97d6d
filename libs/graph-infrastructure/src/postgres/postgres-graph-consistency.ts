import { DataSource } from 'typeorm';
import { CounterDrift, CounterFigures, CounterRepair, DriftBatch, GraphConsistency, UserId } from '@graph/domain';
import { RECOUNT_FOR_USERS } from './graph-stats-rebuild';
import { STATS_SLOTS } from './graph-stats-slots';

interface FiguresRow {
  user_id: UserId;
  sf: string;
  sg: string;
  sp: string;
  af: string;
  ag: string;
  ap: string;
}

const figures = (f: string, g: string, p: string): CounterFigures => ({ followers: Number(f), following: Number(g), pending: Number(p) });
const same = (a: CounterFigures, b: CounterFigures) => a.followers === b.followers && a.following === b.following && a.pending === b.pending;

/**
 * The counter verification query (stored counters vs COUNT(*) of the edges), per user and over a
 * keyset batch of user ids: the next ids after the last one checked, taken from the three indexes
 * that start with a user id (followers, following, counter rows), so a user with edges but no
 * counter row, or a counter row but no edges, is checked too. Counts are index-only scans.
 */
const CHECK_SQL = `
  WITH ids AS (
    SELECT user_id FROM (
      (SELECT DISTINCT follower_id AS user_id FROM follows WHERE follower_id > $1 ORDER BY 1 LIMIT $2)
      UNION
      (SELECT DISTINCT following_id FROM follows WHERE following_id > $1 ORDER BY 1 LIMIT $2)
      UNION
      (SELECT DISTINCT user_id FROM user_graph_stats WHERE user_id > $1 ORDER BY 1 LIMIT $2)
    ) u ORDER BY 1 LIMIT $2
  )
  SELECT i.user_id::text AS user_id,
         COALESCE(s.f, 0)::text AS sf, COALESCE(s.g, 0)::text AS sg, COALESCE(s.p, 0)::text AS sp,
         (SELECT count(*) FROM follows WHERE following_id = i.user_id AND status = 'accepted')::text AS af,
         (SELECT count(*) FROM follows WHERE follower_id = i.user_id AND status = 'accepted')::text AS ag,
         (SELECT count(*) FROM follows WHERE following_id = i.user_id AND status = 'pending')::text AS ap
    FROM ids i
    LEFT JOIN LATERAL (
      SELECT SUM(follower_count) AS f, SUM(following_count) AS g, SUM(pending_requests_count) AS p
        FROM user_graph_stats WHERE user_id = i.user_id) s ON true
   ORDER BY i.user_id`;

export class PostgresGraphConsistency extends GraphConsistency {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async checkBatch(afterUserId: UserId | null, batchSize: number): Promise<DriftBatch> {
    const rows = (await this.dataSource.query(CHECK_SQL, [afterUserId ?? '0', batchSize])) as FiguresRow[];
    const drifted: CounterDrift[] = [];
    for (const r of rows) {
      const stored = figures(r.sf, r.sg, r.sp);
      const actual = figures(r.af, r.ag, r.ap);
      if (!same(stored, actual)) drifted.push({ userId: r.user_id, stored, actual });
    }
    return { checked: rows.length, drifted, lastUserId: rows.length < batchSize ? null : rows[rows.length - 1]!.user_id };
  }

  /**
   * One short transaction: make sure all 16 counter rows of the user exist, lock them in slot order
   * (the write path locks counter rows in (user, slot) order too, so no deadlock), then recount.
   * A follow that updated a slot before us has committed by the time we hold the lock, so the
   * recount sees it; one that comes after waits for our commit and adds its delta to the recount.
   */
  async repairUser(userId: UserId): Promise<CounterRepair> {
    return this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO user_graph_stats (user_id, slot) SELECT $1::bigint, s FROM generate_series(0, ${STATS_SLOTS - 1}) s ORDER BY s
         ON CONFLICT (user_id, slot) DO NOTHING`,
        [userId],
      );
      const [before] = (await m.query(
        `SELECT SUM(follower_count)::text AS f, SUM(following_count)::text AS g, SUM(pending_requests_count)::text AS p
           FROM (SELECT * FROM user_graph_stats WHERE user_id = $1 ORDER BY slot FOR UPDATE) locked`,
        [userId],
      )) as { f: string; g: string; p: string }[];
      const [after] = (await m.query(
        `WITH recount AS (${RECOUNT_FOR_USERS}),
              updated AS (
                UPDATE user_graph_stats s
                   SET follower_count = COALESCE(r.follower_count, 0), following_count = COALESCE(r.following_count, 0),
                       pending_requests_count = COALESCE(r.pending_requests_count, 0), updated_at = now()
                  FROM (SELECT slot FROM generate_series(0, ${STATS_SLOTS - 1}) slot) all_slots
                  LEFT JOIN recount r ON r.slot = all_slots.slot
                 WHERE s.user_id = ANY($1::bigint[]) AND s.slot = all_slots.slot
                   AND (s.follower_count, s.following_count, s.pending_requests_count)
                       IS DISTINCT FROM (COALESCE(r.follower_count, 0), COALESCE(r.following_count, 0), COALESCE(r.pending_requests_count, 0))
                RETURNING 1)
         SELECT COALESCE(SUM(follower_count), 0)::text AS f, COALESCE(SUM(following_count), 0)::text AS g,
                COALESCE(SUM(pending_requests_count), 0)::text AS p, (SELECT count(*) FROM updated)::int AS changed
           FROM recount`,
        [[userId]],
      )) as { f: string; g: string; p: string; changed: number }[];
      // The zero rows added above are not needed once the counts are right.
      await m.query(
        `DELETE FROM user_graph_stats WHERE user_id = $1 AND follower_count = 0 AND following_count = 0 AND pending_requests_count = 0`,
        [userId],
      );
      return { userId, before: figures(before!.f, before!.g, before!.p), after: figures(after!.f, after!.g, after!.p), changed: after!.changed > 0 };
    });
  }
}
