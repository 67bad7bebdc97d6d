import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Follow options (issue #16) on the edge itself, so a pending request's options survive its
 * acceptance and a follow's row stays the one place for its state. Columns with constant defaults
 * are added without rewriting the table. The partial index serves graph.rpc.notify_subscriber_ids:
 * "accepted followers of X who asked to be notified", newest first by keyset, without scanning the
 * followers who did not ask (most of them).
 */
export class FollowOptions1765300000000 implements MigrationInterface {
  name = 'FollowOptions1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE follows
        ADD COLUMN notify       BOOLEAN NOT NULL DEFAULT false,
        ADD COLUMN show_reposts BOOLEAN NOT NULL DEFAULT true,
        ADD COLUMN languages    TEXT[]`);
    await q.query(`CREATE INDEX idx_follows_notify ON follows (following_id, created_at, follower_id) WHERE notify AND status = 'accepted'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS idx_follows_notify`);
    await q.query(`ALTER TABLE follows DROP COLUMN IF EXISTS languages, DROP COLUMN IF EXISTS show_reposts, DROP COLUMN IF EXISTS notify`);
  }
}
