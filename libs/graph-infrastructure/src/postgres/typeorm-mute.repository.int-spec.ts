import { DataSource } from 'typeorm';
import { MuteEvent, UserId } from '@graph/domain';
import { GraphMuteEventPayload } from '@graph/contracts';
import { describeMuteRepositoryContract } from '@graph/domain/testing/mute.repository.contract';
import { createDataSource } from '@graph/infrastructure';
import { TypeOrmMuteRepository } from './typeorm-mute.repository';
import { testInfra } from '../../../../test/setup/test-infra';
import { freshUserId } from '../../../../test/support/test-app';
import { outboxPosition } from '../../../../test/support/graph-inspection';

let db: DataSource;
beforeAll(async () => {
  db = createDataSource(testInfra.databaseUrl, 8, 10000);
  await db.initialize();
});
afterAll(() => db.destroy());

/** A graph.mute outbox payload read back as the domain event that produced it. */
function toMuteEvent(p: GraphMuteEventPayload): MuteEvent {
  const ids = { muterId: p.muter_id as UserId, mutedId: p.muted_id as UserId };
  if (p.event_type === 'unmute') return { type: 'unmute', ...ids, reason: p.reason };
  return { type: 'mute', ...ids, notifications: p.notifications, scope: p.scope, expiresAt: p.expires_at === null ? null : new Date(p.expires_at) };
}

describeMuteRepositoryContract('TypeOrmMuteRepository', {
  newUserId: () => freshUserId() as UserId,
  async create() {
    const start = await outboxPosition(db);
    return {
      repo: new TypeOrmMuteRepository(db),
      inspect: {
        async events(muterId) {
          const found: Array<{ topic: string; key: string; payload: GraphMuteEventPayload }> = await db.query(
            `SELECT topic, message_key AS key, payload FROM outbox_events WHERE id > $1 AND topic = 'graph.mute' AND message_key = $2 ORDER BY id`,
            [start, muterId],
          );
          return found.map((r) => toMuteEvent(r.payload));
        },
        async stored(muterId, mutedId) {
          const found = await db.query(`SELECT 1 FROM mutes WHERE muter_id = $1 AND muted_id = $2`, [muterId, mutedId]);
          return found.length > 0;
        },
      },
    };
  },
});

describe('TypeOrmMuteRepository on PostgreSQL', () => {
  it('keeps one row and one event per change when the same mute and unmute race', async () => {
    const repo = new TypeOrmMuteRepository(db);
    const [a, b] = [freshUserId() as UserId, freshUserId() as UserId];
    const start = await outboxPosition(db);
    const settings = { notifications: true, scope: 'all' as const, expiresAt: null };
    const muted = await Promise.all(Array.from({ length: 20 }, () => repo.mute(a, b, settings)));
    expect(muted.filter((r) => r.changed)).toHaveLength(1);
    const unmuted = await Promise.all(Array.from({ length: 20 }, () => repo.unmute(a, b)));
    expect(unmuted.filter((r) => r.changed)).toHaveLength(1);
    const events = await db.query(`SELECT payload->>'event_type' AS t FROM outbox_events WHERE id > $1 AND message_key = $2 ORDER BY id`, [start, a]);
    expect(events.map((e: { t: string }) => e.t)).toEqual(['mute', 'unmute']);
  });

  it('publishes graph.mute rows keyed by the muter, with the settings', async () => {
    const repo = new TypeOrmMuteRepository(db);
    const [a, b] = [freshUserId() as UserId, freshUserId() as UserId];
    const start = await outboxPosition(db);
    const expiresAt = new Date(Date.now() + 60_000);
    await repo.mute(a, b, { notifications: false, scope: 'reposts', expiresAt });
    const [row] = await db.query(`SELECT topic, message_key, payload FROM outbox_events WHERE id > $1 AND message_key = $2`, [start, a]);
    expect(row).toMatchObject({
      topic: 'graph.mute',
      message_key: a,
      payload: { event_type: 'mute', muter_id: a, muted_id: b, notifications: false, scope: 'reposts', expires_at: expiresAt.toISOString(), schema_version: 1 },
    });
  });
});
