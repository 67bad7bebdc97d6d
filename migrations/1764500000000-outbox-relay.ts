import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the outbox relay needs:
 *
 * 1. `relay_partition`: hash(message_key) into 16 partitions, computed by Postgres so writers need
 *    not know it. A relay owns a partition through a session advisory lock and publishes its rows in
 *    id order, so one follower's events (one key) are never published by two relays at once, and a
 *    row committed after a higher id is still picked up (the relay reads every unsent row, never
 *    "id > last seen").
 * 2. An index for pruning sent rows in batches.
 * (No NOTIFY trigger: a notifying transaction holds a database-wide lock through its commit, which
 * serialised all writes; the writer wakes its own process's relay instead.)
 */
export class OutboxRelay1764500000000 implements MigrationInterface {
  name = 'OutboxRelay1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbox_events
        ADD COLUMN relay_partition SMALLINT GENERATED ALWAYS AS ((hashtext(message_key) & 15)::smallint) STORED`);
    await q.query(`CREATE INDEX idx_outbox_pending_partition ON outbox_events (relay_partition, id) WHERE sent_at IS NULL`);
    await q.query(`CREATE INDEX idx_outbox_sent ON outbox_events (sent_at) WHERE sent_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS idx_outbox_sent`);
    await q.query(`DROP INDEX IF EXISTS idx_outbox_pending_partition`);
    await q.query(`ALTER TABLE outbox_events DROP COLUMN IF EXISTS relay_partition`);
  }
}
