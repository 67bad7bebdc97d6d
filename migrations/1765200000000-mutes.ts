import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mutes (issue #16): private to the muter, so nothing about them is counted or shown to the muted.
 * `expires_at` null means forever; a row past its expiry reads as no mute at once (every read
 * filters on it) and is deleted later by the sweeper, through the partial index on expires_at.
 * GET /mutes is a keyset scan of (muter_id, created_at, muted_id) backwards, like the follow lists.
 */
export class Mutes1765200000000 implements MigrationInterface {
  name = 'Mutes1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mutes (
        muter_id      BIGINT      NOT NULL,
        muted_id      BIGINT      NOT NULL,
        notifications BOOLEAN     NOT NULL DEFAULT true,
        scope         VARCHAR(10) NOT NULL DEFAULT 'all',
        expires_at    TIMESTAMPTZ,
        created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (muter_id, muted_id),
        CONSTRAINT check_not_self_mute CHECK (muter_id <> muted_id),
        CONSTRAINT check_mute_scope CHECK (scope IN ('all', 'reposts'))
      )`);
    // INCLUDE: the page and the relationship view read every column from the index.
    await q.query(`CREATE INDEX idx_mutes_muter_created ON mutes (muter_id, created_at, muted_id) INCLUDE (expires_at, notifications, scope)`);
    await q.query(`CREATE INDEX idx_mutes_expiry ON mutes (expires_at) WHERE expires_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS mutes`);
  }
}
