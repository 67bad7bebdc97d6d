import { DataSource } from 'typeorm';
import { DEFAULT_FOLLOW_OPTIONS, GraphEvent, UserId } from '@graph/domain';
import { GraphEventPayload } from '@graph/contracts';

export interface SlotDrift {
  user_id: string;
  slot: number;
  stored: string;
  recounted: string;
}

/**
 * Counter rows of `userIds` that differ from a recount of the edges, slot by slot (each slot row
 * must equal the count of the edges mapped to it), and any negative counter. Empty when exact.
 */
export async function counterDrift(db: DataSource, userIds: string[]): Promise<SlotDrift[]> {
  return db.query(
    `WITH stored AS (
       SELECT user_id, slot, follower_count AS f, following_count AS g, pending_requests_count AS p
         FROM user_graph_stats WHERE user_id = ANY($1::bigint[])
     ), recount AS (
       SELECT user_id, slot, SUM(f)::bigint AS f, SUM(g)::bigint AS g, SUM(p)::bigint AS p FROM (
         SELECT following_id AS user_id, (follower_id % 16)::smallint AS slot,
                COUNT(*) FILTER (WHERE status = 'accepted') AS f, 0 AS g, COUNT(*) FILTER (WHERE status = 'pending') AS p
           FROM follows WHERE following_id = ANY($1::bigint[]) GROUP BY 1, 2
         UNION ALL
         SELECT follower_id, (following_id % 16)::smallint, 0, COUNT(*) FILTER (WHERE status = 'accepted'), 0
           FROM follows WHERE follower_id = ANY($1::bigint[]) GROUP BY 1, 2
       ) x GROUP BY 1, 2
     )
     SELECT COALESCE(s.user_id, r.user_id)::text AS user_id, COALESCE(s.slot, r.slot) AS slot,
            concat_ws('/', s.f, s.g, s.p) AS stored, concat_ws('/', r.f, r.g, r.p) AS recounted
       FROM stored s FULL JOIN recount r ON r.user_id = s.user_id AND r.slot = s.slot
      WHERE COALESCE(s.f, 0) <> COALESCE(r.f, 0) OR COALESCE(s.g, 0) <> COALESCE(r.g, 0) OR COALESCE(s.p, 0) <> COALESCE(r.p, 0)
         OR s.f < 0 OR s.g < 0 OR s.p < 0
      ORDER BY 1, 2`,
    [userIds],
  );
}

/** The user's totals from the counters (the one-row-per-user view). */
export async function storedCounts(db: DataSource, userId: string): Promise<{ followers: number; following: number; pending: number }> {
  const [row] = await db.query(
    `SELECT COALESCE(SUM(follower_count), 0)::int AS followers, COALESCE(SUM(following_count), 0)::int AS following,
            COALESCE(SUM(pending_requests_count), 0)::int AS pending
       FROM user_graph_stats WHERE user_id = $1`,
    [userId],
  );
  return row;
}

/** The outbox's last id: events after it are the ones a test caused. */
export async function outboxPosition(db: DataSource): Promise<string> {
  const [row] = await db.query(`SELECT COALESCE(MAX(id), 0)::text AS id FROM outbox_events`);
  return row.id;
}

export interface OutboxEntry {
  topic: string;
  key: string;
  payload: GraphEventPayload;
}

/** Outbox rows after `after`, in order, involving one of `userIds` (all when empty). */
export async function outboxEntries(db: DataSource, after: string, userIds: string[] = []): Promise<OutboxEntry[]> {
  return db.query(
    `SELECT topic, message_key AS key, payload FROM outbox_events
      WHERE id > $1 AND (cardinality($2::text[]) = 0 OR payload->>'follower_id' = ANY($2) OR payload->>'following_id' = ANY($2))
      ORDER BY id`,
    [after, userIds],
  );
}

/** An outbox payload read back as the domain event that produced it. */
export function toGraphEvent(p: GraphEventPayload): GraphEvent {
  const ids = { followerId: p.follower_id as UserId, followingId: p.following_id as UserId };
  switch (p.event_type) {
    case 'follow':
      return { type: 'follow', ...ids, status: p.status, isMutual: p.metadata.is_mutual, options: p.options ?? { ...DEFAULT_FOLLOW_OPTIONS } };
    case 'follow_updated':
      return { type: 'follow_updated', ...ids, status: p.status, options: p.options };
    case 'unfollow':
      return { type: 'unfollow', ...ids, reason: p.reason, previousStatus: p.previous_status };
    case 'follow_request_accepted':
      return { type: 'follow_request_accepted', ...ids };
    case 'follow_request_rejected':
      return { type: 'follow_request_rejected', ...ids };
  }
}
