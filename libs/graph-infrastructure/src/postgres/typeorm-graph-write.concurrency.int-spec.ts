import { DataSource } from 'typeorm';
import { GraphError, MuteSettings, RemovedMutes, UserId } from '@graph/domain';
import { GraphMuteEventPayload } from '@graph/contracts';
import { createDataSource } from '@graph/infrastructure';
import { TypeOrmGraphWriteRepository } from './typeorm-graph-write.repository';
import { TypeOrmMuteRepository } from './typeorm-mute.repository';
import { testInfra } from '../../../../test/setup/test-infra';
import { freshUserId } from '../../../../test/support/test-app';
import { counterDrift, outboxEntries, outboxPosition, storedCounts } from '../../../../test/support/graph-inspection';

const ids = (n: number) => Array.from({ length: n }, () => freshUserId() as UserId);
const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
/**
 * Hundreds of calls queue for 20 connections here: the wait for a free one is bounded loosely (the
 * adapter's default of 2 s failed the first case with UNAVAILABLE on a loaded 2-core machine).
 */
const racingDataSource = () => createDataSource(testInfra.databaseUrl, 20, 30000, { connectTimeoutMs: 20000, queryTimeoutMs: 31000, breakerOpenMs: 1000 });

/** Runs every task at once; returns the failures that are not among the domain codes `allowed`. */
async function runAll(tasks: Array<() => Promise<unknown>>, allowed: string[] = []): Promise<unknown[]> {
  const results = await Promise.allSettled(tasks.map((t) => t()));
  return results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason)
    .filter((e) => !(e instanceof GraphError && allowed.includes(e.code)));
}

describe('TypeOrmGraphWriteRepository under concurrency', () => {
  let db: DataSource;
  let repo: TypeOrmGraphWriteRepository;
  beforeAll(async () => {
    db = racingDataSource();
    await db.initialize();
    repo = new TypeOrmGraphWriteRepository(db);
  });
  afterAll(() => db.destroy());

  async function expectOneRowPerPair(userIds: string[]): Promise<void> {
    const duplicates = await db.query(
      `SELECT follower_id, following_id FROM follows WHERE follower_id = ANY($1::bigint[]) OR following_id = ANY($1::bigint[])
        GROUP BY 1, 2 HAVING COUNT(*) > 1`,
      [userIds],
    );
    expect(duplicates).toEqual([]);
  }

  it('keeps one row per pair and exact counters when hundreds follow, re-follow and unfollow one public account', async () => {
    const star = freshUserId() as UserId;
    const fans = ids(400);
    const start = await outboxPosition(db);
    // Each fan's own steps run in order (so its final state is known); all fans run at once, and the
    // duplicate calls of one fan run at the same time as each other.
    const failures = await runAll(
      fans.map((fan, i) => async () => {
        await Promise.all([repo.follow(fan, star), repo.follow(fan, star)]);
        if (i % 5 === 0) await Promise.all([repo.follow(star, fan), pause().then(() => repo.follow(fan, star))]); // mutual
        if (i % 3 === 0) await Promise.all([repo.unfollow(fan, star), repo.unfollow(fan, star)]);
        if (i % 6 === 0) await repo.follow(fan, star);
      }),
    );
    expect(failures).toEqual([]);

    const expectedFollowers = fans.filter((_, i) => i % 3 !== 0 || i % 6 === 0).length;
    expect(await storedCounts(db, star)).toEqual({ followers: expectedFollowers, following: fans.filter((_, i) => i % 5 === 0).length, pending: 0 });
    expect(await counterDrift(db, [star, ...fans])).toEqual([]);
    await expectOneRowPerPair([star]);

    const events = await outboxEntries(db, start, [star]);
    const follows = events.filter((e) => e.topic === 'graph.follow' && e.payload.following_id === star);
    const unfollows = events.filter((e) => e.topic === 'graph.unfollow');
    // One follow event per edge actually created, none for the duplicates.
    expect(follows).toHaveLength(fans.length + fans.filter((_, i) => i % 6 === 0).length);
    expect(unfollows).toHaveLength(fans.filter((_, i) => i % 3 === 0).length);
  });

  it('keeps exact counters when a private account accepts and rejects while requests, repeats and cancels pour in', async () => {
    const star = freshUserId() as UserId;
    await repo.setPrivacy(star, true);
    const fans = ids(300);
    const failures = await runAll(
      fans.map((fan, i) => async () => {
        await Promise.all([repo.follow(fan, star), repo.follow(fan, star)]);
        if (i % 4 === 0) await Promise.all([repo.respondToRequest(star, fan, 'accept'), repo.respondToRequest(star, fan, 'accept')]);
        else if (i % 4 === 1) await Promise.all([repo.respondToRequest(star, fan, 'reject'), repo.respondToRequest(star, fan, 'reject')]);
        else if (i % 4 === 2) await Promise.all([repo.unfollow(fan, star), repo.unfollow(fan, star)]);
        if (i % 8 === 0) await Promise.all([repo.removeFollower(star, fan), repo.removeFollower(star, fan)]);
      }),
    );
    expect(failures).toEqual([]);

    const count = (pred: (i: number) => boolean) => fans.filter((_, i) => pred(i)).length;
    expect(await storedCounts(db, star)).toEqual({
      followers: count((i) => i % 4 === 0 && i % 8 !== 0),
      following: 0,
      pending: count((i) => i % 4 === 3),
    });
    expect(await counterDrift(db, [star, ...fans])).toEqual([]);
    await expectOneRowPerPair([star]);
  });

  it('leaves no pending request on an account that goes public while follow requests race in', async () => {
    for (let round = 0; round < 5; round++) {
      const owner = freshUserId() as UserId;
      await repo.setPrivacy(owner, true);
      const fans = ids(120);
      const start = await outboxPosition(db);
      const failures = await runAll([
        ...fans.map((fan) => async () => {
          await pause();
          await repo.follow(fan, owner);
        }),
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 2 + round));
          await repo.setPrivacy(owner, false);
        },
      ]);
      expect(failures).toEqual([]);
      const pending = await db.query(`SELECT follower_id FROM follows WHERE following_id = $1 AND status = 'pending'`, [owner]);
      expect(pending).toEqual([]);
      expect(await storedCounts(db, owner)).toEqual({ followers: fans.length, following: 0, pending: 0 });
      expect(await counterDrift(db, [owner, ...fans])).toEqual([]);
      // Every request that was pending got its accepted event.
      const events = await outboxEntries(db, start, [owner]);
      const requested = events.filter((e) => e.payload.event_type === 'follow' && e.payload.status === 'pending').map((e) => e.key);
      const accepted = events.filter((e) => e.payload.event_type === 'follow_request_accepted').map((e) => e.key);
      expect(accepted.sort()).toEqual(requested.sort());
    }
  });

  it('keeps follow options and their events exact when option updates race with accepts, repeats and unfollows', async () => {
    const star = freshUserId() as UserId;
    await repo.setPrivacy(star, true);
    const fans = ids(40);
    const start = await outboxPosition(db);
    const failures = await runAll(
      fans.map((fan, i) => async () => {
        await repo.follow(fan, star, { notify: false, reposts: true, languages: ['en'] });
        // The same update twice at once, beside the owner's accept: one follow_updated, the options survive.
        await Promise.all([
          repo.updateFollowOptions(fan, star, { notify: true }),
          repo.updateFollowOptions(fan, star, { notify: true }),
          pause().then(() => repo.respondToRequest(star, fan, 'accept')),
          repo.follow(fan, star),
        ]);
        if (i % 3 === 0) await Promise.all([repo.unfollow(fan, star), repo.updateFollowOptions(fan, star, { reposts: false })]);
      }),
    );
    expect(failures).toEqual([]);
    const rows: Array<{ follower_id: string; status: string; notify: boolean; languages: string[] }> = await db.query(
      `SELECT follower_id::text, status, notify, languages FROM follows WHERE following_id = $1`,
      [star],
    );
    const kept = fans.filter((_, i) => i % 3 !== 0);
    expect(rows.map((r) => r.follower_id).sort()).toEqual([...kept].sort());
    expect(rows.every((r) => r.status === 'accepted' && r.notify && r.languages.join() === 'en')).toBe(true);
    expect(await storedCounts(db, star)).toEqual({ followers: kept.length, following: 0, pending: 0 });
    const events = await outboxEntries(db, start, [star]);
    const updatedNotify = events.filter((e) => e.topic === 'graph.follow_updated' && e.payload.event_type === 'follow_updated' && e.payload.options.notify && e.payload.options.reposts);
    expect(updatedNotify).toHaveLength(fans.length);
    expect(events.filter((e) => e.topic === 'graph.follow')).toHaveLength(fans.length);
  });

  it('never lets a follow slip past a block made at the same moment, and keeps counters exact', async () => {
    const pairs = Array.from({ length: 150 }, () => ids(2) as [UserId, UserId]);
    const failures = await runAll(
      pairs.flatMap(([a, b]) => [
        () => repo.follow(a, b),
        () => repo.follow(b, a),
        () => pause().then(() => repo.block(b, a)),
      ]),
      ['BLOCKED'],
    );
    expect(failures).toEqual([]);
    const flat = pairs.flat();
    const survivors = await db.query(`SELECT 1 FROM follows WHERE follower_id = ANY($1::bigint[])`, [flat]);
    expect(survivors).toEqual([]);
    expect(await counterDrift(db, flat)).toEqual([]);
  });

  it('erases users whose edges cross each other at the same time without surfacing deadlocks', async () => {
    const users = ids(30);
    // A dense little graph: everyone follows everyone.
    await runAll(users.flatMap((a) => users.filter((b) => b !== a).map((b) => () => repo.follow(a, b))));
    const others = ids(20);
    const failures = await runAll([
      ...users.slice(0, 10).map((u) => () => repo.eraseUser(u)),
      ...users.slice(10).flatMap((u) => others.map((o) => () => repo.follow(o, u))),
      ...users.slice(10, 20).map((u) => () => repo.block(u, users[25]!)),
    ]);
    expect(failures).toEqual([]);
    expect(await db.query(`SELECT 1 FROM follows WHERE follower_id = ANY($1::bigint[]) OR following_id = ANY($1::bigint[])`, [users.slice(0, 10)])).toEqual([]);
    expect(await counterDrift(db, [...users, ...others])).toEqual([]);
  });
});

describe('TypeOrmMuteRepository under concurrency', () => {
  let db: DataSource;
  let mutes: TypeOrmMuteRepository;
  let graph: TypeOrmGraphWriteRepository;
  beforeAll(async () => {
    db = racingDataSource();
    await db.initialize();
    mutes = new TypeOrmMuteRepository(db);
    graph = new TypeOrmGraphWriteRepository(db);
  });
  afterAll(() => db.destroy());

  const forever: MuteSettings = { notifications: true, scope: 'all', expiresAt: null };
  const quiet: MuteSettings = { notifications: false, scope: 'reposts', expiresAt: null };
  const inADay = (): MuteSettings => ({ notifications: true, scope: 'reposts', expiresAt: new Date(Date.now() + 86_400_000) });

  interface StoredMute {
    muter_id: string;
    muted_id: string;
    notifications: boolean;
    scope: string;
    expires_at: Date | null;
  }

  /** The mute rows of these muters, at most one per pair (the primary key), by pair. */
  async function storedMutes(muters: string[]): Promise<Map<string, StoredMute>> {
    const rows: StoredMute[] = await db.query(
      `SELECT muter_id::text, muted_id::text, notifications, scope, expires_at FROM mutes WHERE muter_id = ANY($1::bigint[])`,
      [muters],
    );
    const byPair = new Map(rows.map((r) => [`${r.muter_id}>${r.muted_id}`, r]));
    expect(byPair.size).toBe(rows.length);
    return byPair;
  }

  /** The graph.mute outbox rows of these muters after `start`, in outbox order, by pair. */
  async function muteEvents(start: string, muters: string[]): Promise<Map<string, GraphMuteEventPayload[]>> {
    const rows: Array<{ key: string; payload: GraphMuteEventPayload }> = await db.query(
      `SELECT message_key AS key, payload FROM outbox_events WHERE id > $1 AND topic = 'graph.mute' AND message_key = ANY($2) ORDER BY id`,
      [start, muters],
    );
    const byPair = new Map<string, GraphMuteEventPayload[]>();
    for (const r of rows) {
      expect(r.key).toBe(r.payload.muter_id);
      const key = `${r.payload.muter_id}>${r.payload.muted_id}`;
      byPair.set(key, [...(byPair.get(key) ?? []), r.payload]);
    }
    return byPair;
  }

  const settingsOf = (e: GraphMuteEventPayload) =>
    e.event_type === 'mute' ? { notifications: e.notifications, scope: e.scope, expires_at: e.expires_at } : null;
  const settingsOfRow = (r: StoredMute | undefined) =>
    r ? { notifications: r.notifications, scope: r.scope, expires_at: r.expires_at?.toISOString() ?? null } : null;

  it('keeps one row per pair and one event per actual change when mutes, repeats with other settings and unmutes race', async () => {
    const pairs = Array.from({ length: 60 }, () => ids(2) as [UserId, UserId]);
    const start = await outboxPosition(db);
    let changes = 0;
    const counted = async (p: Promise<{ changed: boolean }>) => {
      if ((await p).changed) changes++;
    };
    const failures = await runAll(
      pairs.map(([a, b], i) => async () => {
        // The same mute three times at once: one change.
        const first = await Promise.all([mutes.mute(a, b, forever), mutes.mute(a, b, forever), mutes.mute(a, b, forever)]);
        expect(first.filter((r) => r.changed)).toHaveLength(1);
        changes++;
        // Other settings racing with the old ones and each other: whatever the order, each change is one event.
        await Promise.all([counted(mutes.mute(a, b, quiet)), counted(mutes.mute(a, b, quiet)), pause().then(() => counted(mutes.mute(a, b, forever)))]);
        if (i % 2 === 0) await Promise.all([counted(mutes.unmute(a, b)), counted(mutes.unmute(a, b)), pause().then(() => counted(mutes.mute(a, b, inADay())))]);
        if (i % 4 === 0) await Promise.all([counted(mutes.unmute(a, b)), counted(mutes.unmute(a, b))]);
      }),
    );
    expect(failures).toEqual([]);

    const muters = pairs.map(([a]) => a);
    const rows = await storedMutes(muters);
    const events = await muteEvents(start, muters);
    expect([...events.values()].flat()).toHaveLength(changes);
    for (const [i, [a, b]] of pairs.entries()) {
      const pairEvents = events.get(`${a}>${b}`) ?? [];
      // The last event is the state (docs/api.md, graph.mute); no event repeats the state before it.
      expect(settingsOfRow(rows.get(`${a}>${b}`))).toEqual(settingsOf(pairEvents[pairEvents.length - 1]!));
      pairEvents.forEach((e, n) => {
        if (n > 0) expect(settingsOf(e)).not.toEqual(settingsOf(pairEvents[n - 1]!));
        if (e.event_type === 'unmute') expect(e.reason).toBe('unmute');
      });
      if (i % 4 === 0) expect(rows.has(`${a}>${b}`)).toBe(false);
    }
  });

  it('a re-mute or unmute racing with sweepers over expired mutes: one row, one expiry event at most, the re-mute kept', async () => {
    const pairs = Array.from({ length: 90 }, () => ids(2) as [UserId, UserId]);
    const soon: MuteSettings = { notifications: true, scope: 'all', expiresAt: new Date(Date.now() + 300) };
    for (const [a, b] of pairs) await mutes.mute(a, b, soon);
    await new Promise((r) => setTimeout(r, 400));
    const start = await outboxPosition(db);
    const failures = await runAll([
      ...pairs.map(([a, b], i) => async () => {
        await pause();
        if (i % 3 === 0) await mutes.mute(a, b, quiet);
        else if (i % 3 === 1) expect(await mutes.unmute(a, b)).toEqual({ changed: false }); // it had expired already
      }),
      ...Array.from({ length: 3 }, () => () => mutes.sweepExpired(40)),
    ]);
    expect(failures).toEqual([]);
    while ((await mutes.sweepExpired(1000)).count > 0);

    const muters = pairs.map(([a]) => a);
    const rows = await storedMutes(muters);
    const events = await muteEvents(start, muters);
    for (const [i, [a, b]] of pairs.entries()) {
      const got = (events.get(`${a}>${b}`) ?? []).map((e) => (e.event_type === 'mute' ? 'mute' : `unmute:${e.reason}`));
      if (i % 3 === 0) {
        // Re-muted: kept whatever the sweepers did; the expiry published only if a sweeper got there first.
        expect(settingsOfRow(rows.get(`${a}>${b}`))).toEqual({ notifications: false, scope: 'reposts', expires_at: null });
        expect([['mute'], ['unmute:expired', 'mute']]).toContainEqual(got);
      } else {
        // Unmuted after expiry, or left alone: gone, with exactly one expiry event, from whoever deleted it.
        expect(rows.has(`${a}>${b}`)).toBe(false);
        expect(got).toEqual(['unmute:expired']);
      }
    }
  });

  it('a re-mute that commits while a sweeper waits on the expired row is kept: the sweeper rechecks the expiry on the row it locks', async () => {
    const [a, b] = ids(2);
    await mutes.mute(a, b, { notifications: true, scope: 'all', expiresAt: new Date(Date.now() - 1000) });
    const start = await outboxPosition(db);
    /** Waits until `n` sessions of this database wait on a lock with a statement matching `like`. */
    const lockWaiters = async (like: string, n: number) => {
      for (let tries = 0; tries < 500; tries++) {
        const [row] = await db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1`,
          [like],
        );
        if (row.n >= n) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`no session waits on a lock for ${like}`);
    };
    // A third session holds the row, so the re-mute queues first and the sweeper (its snapshot taken
    // with the row expired) second; releasing it lets the re-mute commit before the sweeper's DELETE runs.
    const holder = db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    let remute: Promise<{ changed: boolean }> | undefined;
    let sweep: Promise<RemovedMutes> | undefined;
    try {
      await holder.query(`SELECT 1 FROM mutes WHERE muter_id = $1 AND muted_id = $2 FOR UPDATE`, [a, b]);
      remute = mutes.mute(a, b, quiet);
      await lockWaiters('INSERT INTO mutes%', 1);
      sweep = mutes.sweepExpired(1000);
      await lockWaiters('DELETE FROM mutes%', 1);
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    expect(await remute).toEqual({ changed: true });
    await sweep;
    expect(settingsOfRow((await storedMutes([a])).get(`${a}>${b}`))).toEqual({ notifications: false, scope: 'reposts', expires_at: null });
    // The expired mute's end is published once, by the re-mute that replaced it; the sweeper found nothing.
    expect((await muteEvents(start, [a])).get(`${a}>${b}`)?.map((e) => [e.event_type, 'reason' in e ? e.reason : null])).toEqual([
      ['unmute', 'expired'],
      ['mute', null],
    ]);
  });

  it('a mute racing with blocks and follows both ways survives the blocks; the follows go; every event once', async () => {
    const pairs = Array.from({ length: 60 }, () => ids(2) as [UserId, UserId]);
    for (const [a, b] of pairs) await Promise.all([graph.follow(a, b), graph.follow(b, a)]);
    const start = await outboxPosition(db);
    const failures = await runAll(
      pairs.flatMap(([a, b]) => [
        () => mutes.mute(a, b, quiet),
        () => pause().then(() => mutes.mute(a, b, quiet)),
        () => graph.block(b, a),
        () => pause().then(() => graph.block(a, b)),
        () => graph.follow(a, b),
        () => pause().then(() => mutes.unmute(b, a)),
      ]),
      ['BLOCKED'],
    );
    expect(failures).toEqual([]);

    const flat = pairs.flat();
    const rows = await storedMutes(flat);
    const events = await muteEvents(start, flat);
    for (const [a, b] of pairs) {
      expect(settingsOfRow(rows.get(`${a}>${b}`))).toEqual({ notifications: false, scope: 'reposts', expires_at: null });
      expect(events.get(`${a}>${b}`)?.map((e) => e.event_type)).toEqual(['mute']);
      expect(events.has(`${b}>${a}`)).toBe(false);
    }
    expect(rows.size).toBe(pairs.length);
    expect(await db.query(`SELECT 1 FROM follows WHERE follower_id = ANY($1::bigint[])`, [flat])).toEqual([]);
    const blocks = await db.query(`SELECT 1 FROM blocks WHERE blocker_id = ANY($1::bigint[])`, [flat]);
    expect(blocks).toHaveLength(pairs.length * 2);
    const blockEvents = await db.query(`SELECT 1 FROM outbox_events WHERE id > $1 AND topic = 'graph.block' AND message_key = ANY($2)`, [start, flat]);
    expect(blockEvents).toHaveLength(pairs.length * 2);
    expect(await counterDrift(db, flat)).toEqual([]);
  });
});
