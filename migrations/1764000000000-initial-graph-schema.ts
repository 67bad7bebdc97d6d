import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The original design's schema (docs/scaling.md), with three deliberate changes:
 *
 * 1. Counters are striped. `user_graph_stats` holds, per user, up to STATS_SLOTS (16) rows keyed by
 *    (user_id, slot); a user's count is the sum of its slots. A change to the edge A→B touches slot
 *    `B mod 16` of A's row set and slot `A mod 16` of B's, so a thousand users following one account
 *    at once spread over 16 rows instead of queueing on one row lock (a single trigger-updated row
 *    ran at 2,718 follows/s vs 16,377/s spread). Because the slot depends only on the pair, each slot
 *    row is itself the exact count of the edges that map to it: it never goes negative and can be
 *    recounted slot by slot. Counters are updated by the adapter in the edge's transaction, not by
 *    a trigger, so the followed user's counter does not have to live on the follower's shard.
 * 2. The lookup indexes end with the other user's id and are scanned backwards for "newest first",
 *    so every list is an index-only keyset scan: WHERE (created_at, id) < ($pos) ORDER BY ... DESC.
 * 3. Blocks, privacy settings and the event outbox get tables of their own.
 */
export class InitialGraphSchema1764000000000 implements MigrationInterface {
  name = 'InitialGraphSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE follows (
        follower_id  BIGINT      NOT NULL,
        following_id BIGINT      NOT NULL,
        status       VARCHAR(20) NOT NULL,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (follower_id, following_id),
        CONSTRAINT check_not_self_follow CHECK (follower_id <> following_id),
        CONSTRAINT check_follow_status CHECK (status IN ('accepted', 'pending', 'rejected')),
        CONSTRAINT check_follower_id_positive CHECK (follower_id > 0 AND following_id > 0)
      )`);
    // "Followers of X" and "requests to X" (seed index 1, made covering: follower_id is in the key).
    await q.query(`CREATE INDEX idx_follows_following_id ON follows (following_id, status, created_at, follower_id)`);
    // "X follows whom" and "X's outgoing requests" (seed index 2, covering).
    await q.query(`CREATE INDEX idx_follows_follower_id ON follows (follower_id, status, created_at, following_id)`);
    // Incoming pending requests (seed index 3): small, since few edges are pending at a time.
    await q.query(`CREATE INDEX idx_follows_pending ON follows (following_id, created_at, follower_id) WHERE status = 'pending'`);

    await q.query(`
      CREATE TABLE user_graph_stats (
        user_id                BIGINT      NOT NULL,
        slot                   SMALLINT    NOT NULL,
        follower_count         BIGINT      NOT NULL DEFAULT 0,
        following_count        BIGINT      NOT NULL DEFAULT 0,
        pending_requests_count BIGINT      NOT NULL DEFAULT 0,
        updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, slot),
        CONSTRAINT check_stats_slot CHECK (slot >= 0 AND slot < 16)
      )`);
    // The one-row-per-user shape, for reports and the consistency check.
    await q.query(`
      CREATE VIEW user_graph_totals AS
      SELECT user_id,
             SUM(follower_count)::BIGINT         AS follower_count,
             SUM(following_count)::BIGINT        AS following_count,
             SUM(pending_requests_count)::BIGINT AS pending_requests_count,
             MAX(updated_at)                     AS updated_at
        FROM user_graph_stats
       GROUP BY user_id`);

    await q.query(`
      CREATE TABLE blocks (
        blocker_id BIGINT      NOT NULL,
        blocked_id BIGINT      NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (blocker_id, blocked_id),
        CONSTRAINT check_not_self_block CHECK (blocker_id <> blocked_id)
      )`);
    await q.query(`CREATE INDEX idx_blocks_blocker_created ON blocks (blocker_id, created_at, blocked_id)`);
    await q.query(`CREATE INDEX idx_blocks_blocked ON blocks (blocked_id, blocker_id)`);

    await q.query(`
      CREATE TABLE user_settings (
        user_id    BIGINT      PRIMARY KEY,
        is_private BOOLEAN     NOT NULL DEFAULT false,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);

    // Transactional outbox: written in the transaction of the change, published by the relay.
    await q.query(`
      CREATE TABLE outbox_events (
        id          BIGSERIAL   PRIMARY KEY,
        event_id    UUID        NOT NULL UNIQUE,
        topic       TEXT        NOT NULL,
        message_key TEXT        NOT NULL,
        payload     JSONB       NOT NULL,
        created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
        attempts    INT         NOT NULL DEFAULT 0,
        last_error  TEXT,
        sent_at     TIMESTAMPTZ
      )`);
    await q.query(`CREATE INDEX idx_outbox_pending ON outbox_events (id) WHERE sent_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS outbox_events`);
    await q.query(`DROP TABLE IF EXISTS user_settings`);
    await q.query(`DROP TABLE IF EXISTS blocks`);
    await q.query(`DROP VIEW IF EXISTS user_graph_totals`);
    await q.query(`DROP TABLE IF EXISTS user_graph_stats`);
    await q.query(`DROP TABLE IF EXISTS follows`);
  }
}
