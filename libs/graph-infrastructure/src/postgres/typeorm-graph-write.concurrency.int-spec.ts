import { DataSource } from 'typeorm';
import { GraphError, UserId } from '@graph/domain';
import { createDataSource } from '@graph/infrastructure';
import { TypeOrmGraphWriteRepository } from './typeorm-graph-write.repository';
import { testInfra } from '../../../../test/setup/test-infra';
import { freshUserId } from '../../../../test/support/test-app';
import { counterDrift, outboxEntries, outboxPosition, storedCounts } from '../../../../test/support/graph-inspection';

const ids = (n: number) => Array.from({ length: n }, () => freshUserId() as UserId);
const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 5));

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
    db = createDataSource(testInfra.databaseUrl, 20, 30000);
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
