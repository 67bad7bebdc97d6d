import { DataSource } from 'typeorm';
import { UserId } from '@graph/domain';
import { describeGraphWriteRepositoryContract } from '@graph/domain/testing/graph-write.repository.contract';
import { createDataSource } from '@graph/infrastructure';
import { TypeOrmGraphWriteRepository } from './typeorm-graph-write.repository';
import { testInfra } from '../../../../test/setup/test-infra';
import { freshUserId } from '../../../../test/support/test-app';
import { counterDrift, outboxEntries, outboxPosition, storedCounts, toGraphEvent } from '../../../../test/support/graph-inspection';

let db: DataSource;
beforeAll(async () => {
  db = createDataSource(testInfra.databaseUrl, 8, 10000);
  await db.initialize();
});
afterAll(() => db.destroy());

describeGraphWriteRepositoryContract('TypeOrmGraphWriteRepository', {
  newUserId: () => freshUserId() as UserId,
  async create() {
    const start = await outboxPosition(db);
    return {
      repo: new TypeOrmGraphWriteRepository(db),
      inspect: {
        async edgeStatus(a, b) {
          const [row] = await db.query(`SELECT status FROM follows WHERE follower_id = $1 AND following_id = $2`, [a, b]);
          return row?.status ?? null;
        },
        // The counters, after checking every slot row against a recount of the edges.
        async counts(userId) {
          expect(await counterDrift(db, [userId])).toEqual([]);
          return storedCounts(db, userId);
        },
        async events(...userIds) {
          return (await outboxEntries(db, start, userIds)).map((e) => toGraphEvent(e.payload));
        },
        async isBlocked(a, b) {
          const rows = await db.query(`SELECT 1 FROM blocks WHERE blocker_id = $1 AND blocked_id = $2`, [a, b]);
          return rows.length > 0;
        },
        async blockEvents(blockerId) {
          const rows: Array<{ payload: { event_type: 'block' | 'unblock'; blocker_id: UserId; blocked_id: UserId } }> = await db.query(
            `SELECT payload FROM outbox_events WHERE id > $1 AND topic = 'graph.block' AND message_key = $2 ORDER BY id`,
            [start, blockerId],
          );
          return rows.map(({ payload: p }) => ({ type: p.event_type, blockerId: p.blocker_id, blockedId: p.blocked_id }));
        },
        async followOptions(a, b) {
          const [row] = await db.query(`SELECT notify, show_reposts, languages FROM follows WHERE follower_id = $1 AND following_id = $2`, [a, b]);
          return row ? { notify: row.notify, reposts: row.show_reposts, languages: row.languages } : null;
        },
        async isPrivate(userId) {
          const [row] = await db.query(`SELECT is_private FROM user_settings WHERE user_id = $1`, [userId]);
          return row?.is_private ?? false;
        },
        async isDismissed(userId, dismissedId) {
          const rows = await db.query(`SELECT 1 FROM recommendation_dismissals WHERE user_id = $1 AND dismissed_id = $2`, [userId, dismissedId]);
          return rows.length > 0;
        },
        async ageEdge(a, b, days) {
          await db.query(`UPDATE follows SET created_at = created_at - make_interval(days => $3) WHERE follower_id = $1 AND following_id = $2`, [a, b, days]);
        },
      },
    };
  },
});

describe('TypeOrmGraphWriteRepository on PostgreSQL', () => {
  let repo: TypeOrmGraphWriteRepository;
  beforeAll(() => {
    repo = new TypeOrmGraphWriteRepository(db);
  });

  it('writes outbox rows keyed by the follower on the docs/kafka.md topics, with string ids and is_mutual', async () => {
    const [a, b] = [freshUserId() as UserId, freshUserId() as UserId];
    const start = await outboxPosition(db);
    await repo.follow(b, a);
    await repo.follow(a, b);
    const entries = await outboxEntries(db, start, [a, b]);
    expect(entries.map((e) => [e.topic, e.key])).toEqual([
      ['graph.follow', b],
      ['graph.follow', a],
    ]);
    expect(entries[1]!.payload).toEqual({
      event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      schema_version: 1,
      occurred_at: expect.any(String),
      event_type: 'follow',
      follower_id: a,
      following_id: b,
      status: 'accepted',
      metadata: { is_mutual: true },
      options: { notify: false, reposts: true, languages: null },
    });
  });

  it('returns created_at in exact microseconds that a keyset predicate finds again', async () => {
    const a = freshUserId() as UserId;
    const targets = Array.from({ length: 5 }, () => freshUserId() as UserId);
    for (const t of targets) {
      const { createdAtUs } = await repo.follow(a, t);
      const rows = await db.query(
        `SELECT 1 FROM follows WHERE follower_id = $1 AND following_id = $2 AND created_at = timestamptz 'epoch' + $3::bigint * interval '1 microsecond'`,
        [a, t, createdAtUs],
      );
      expect(rows).toHaveLength(1);
    }
    // Values where float arithmetic would round: the repeat reads them back from the row.
    const cases = ['2024-02-29 23:59:59.999999+00', '2038-01-19 03:14:07.000001+00', '1969-12-31 23:59:59.000001+00', '2001-09-09 01:46:40.123457+00'];
    for (const [i, ts] of cases.entries()) {
      await db.query(`UPDATE follows SET created_at = $3 WHERE follower_id = $1 AND following_id = $2`, [a, targets[i], ts]);
      const { createdAtUs, changed } = await repo.follow(a, targets[i]!);
      expect(changed).toBe(false);
      const [expected] = await db.query(
        `SELECT ((EXTRACT(EPOCH FROM date_trunc('second', $1::timestamptz))::bigint * 1000000) + (EXTRACT(MICROSECONDS FROM $1::timestamptz)::bigint % 1000000))::text AS us`,
        [ts],
      );
      expect(createdAtUs).toBe(expected.us);
      const rows = await db.query(
        `SELECT 1 FROM follows WHERE follower_id = $1 AND created_at = timestamptz 'epoch' + $2::bigint * interval '1 microsecond'`,
        [a, createdAtUs],
      );
      expect(rows).toHaveLength(1);
    }
  });

  it('refuses a follow across a block found inside its transaction, writing nothing', async () => {
    const [a, b] = [freshUserId() as UserId, freshUserId() as UserId];
    const start = await outboxPosition(db);
    await db.query(`INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2)`, [b, a]);
    await expect(repo.follow(a, b)).rejects.toMatchObject({ code: 'BLOCKED' });
    expect(await db.query(`SELECT 1 FROM follows WHERE follower_id = $1`, [a])).toEqual([]);
    expect(await db.query(`SELECT 1 FROM user_graph_stats WHERE user_id = ANY($1::bigint[])`, [[a, b]])).toEqual([]);
    expect(await outboxEntries(db, start, [a, b])).toEqual([]);
  });

  it('rolls back the edge and the counters when the outbox write fails', async () => {
    const [a, b] = [freshUserId() as UserId, freshUserId() as UserId];
    // A trigger that fails only this follower's outbox rows (the edge is written before the outbox row).
    await db.query(`CREATE FUNCTION fail_outbox_${a}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.message_key = '${a}' THEN RAISE EXCEPTION 'outbox refused'; END IF; RETURN NEW; END $$`);
    await db.query(`CREATE TRIGGER fail_outbox_${a} BEFORE INSERT ON outbox_events FOR EACH ROW EXECUTE FUNCTION fail_outbox_${a}()`);
    try {
      await expect(repo.follow(a, b)).rejects.toThrow(/outbox refused/);
    } finally {
      await db.query(`DROP TRIGGER fail_outbox_${a} ON outbox_events`);
      await db.query(`DROP FUNCTION fail_outbox_${a}()`);
    }
    expect(await db.query(`SELECT 1 FROM follows WHERE follower_id = $1`, [a])).toEqual([]);
    expect(await db.query(`SELECT 1 FROM user_graph_stats WHERE user_id = ANY($1::bigint[])`, [[a, b]])).toEqual([]);
    expect(await repo.follow(a, b)).toMatchObject({ status: 'accepted', changed: true });
  });

  it('writes PATCH /settings whole or not at all: a policy the database refuses leaves the privacy and the requests as they were', async () => {
    const [owner, requester] = [freshUserId() as UserId, freshUserId() as UserId];
    await repo.setPrivacy(owner, true);
    await repo.follow(requester, owner);
    const start = await outboxPosition(db);
    // Past the use case's check, the table's CHECK (request_ttl_days BETWEEN 1 AND 365) refuses it.
    await expect(repo.updateSettings(owner, { isPrivate: false, policies: { requestTtlDays: 999 } })).rejects.toThrow(/check_request_ttl_days/);
    expect(await db.query(`SELECT is_private, request_ttl_days FROM user_settings WHERE user_id = $1`, [owner])).toEqual([{ is_private: true, request_ttl_days: null }]);
    expect(await db.query(`SELECT status FROM follows WHERE follower_id = $1 AND following_id = $2`, [requester, owner])).toEqual([{ status: 'pending' }]);
    expect(await outboxEntries(db, start, [owner])).toEqual([]);
    expect(await storedCounts(db, owner)).toEqual({ followers: 0, following: 0, pending: 1 });
    expect(await repo.updateSettings(owner, { isPrivate: false, policies: { requestTtlDays: 30 } })).toMatchObject({
      privacy: { changed: true, acceptedFollowerIds: [requester] },
      policies: { changed: true },
    });
  });

  it('spreads one account\u2019s followers over the 16 slot rows', async () => {
    const star = freshUserId() as UserId;
    const fans = Array.from({ length: 40 }, () => freshUserId() as UserId);
    await Promise.all(fans.map((f) => repo.follow(f, star)));
    const slots = await db.query(`SELECT slot, follower_count::int AS n FROM user_graph_stats WHERE user_id = $1 ORDER BY slot`, [star]);
    expect(slots).toHaveLength(16);
    expect(slots.reduce((sum: number, s: { n: number }) => sum + s.n, 0)).toBe(40);
    expect(await counterDrift(db, [star, ...fans])).toEqual([]);
  });

  it('accepts a large backlog of requests in one go when the account goes public', async () => {
    const owner = freshUserId() as UserId;
    await repo.setPrivacy(owner, true);
    const fans = Array.from({ length: 300 }, () => freshUserId() as UserId);
    for (let i = 0; i < fans.length; i += 50) await Promise.all(fans.slice(i, i + 50).map((f) => repo.follow(f, owner)));
    const start = await outboxPosition(db);
    const outcome = await repo.setPrivacy(owner, false);
    expect(outcome.acceptedFollowerIds).toHaveLength(300);
    expect(await storedCounts(db, owner)).toEqual({ followers: 300, following: 0, pending: 0 });
    expect(await counterDrift(db, [owner, ...fans])).toEqual([]);
    const events = await outboxEntries(db, start, [owner]);
    expect(events.filter((e) => e.topic === 'graph.follow_accepted')).toHaveLength(300);
  });
});
