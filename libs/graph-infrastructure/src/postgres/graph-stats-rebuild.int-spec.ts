import { DataSource } from 'typeorm';
import { createDataSource } from './data-source';
import { copyFromStdin } from './copy-from';
import { rebuildGraphStats } from './graph-stats-rebuild';
import { testInfra } from '../../../../test/setup/test-infra';

const BASE = 6_900_000_000_000_000_000n;
let next = BASE + BigInt(Date.now() % 1_000_000) * 1000n;
const fresh = () => (++next).toString();

describe('counter rebuild and COPY helpers (PostgreSQL)', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = createDataSource(testInfra.databaseUrl, 2, 10000);
    await db.initialize();
  });
  afterAll(() => db.destroy());

  it('writes one row per slot following the write side rule, and repairs drift', async () => {
    const owner = fresh();
    const followers = Array.from({ length: 40 }, fresh);
    const rows = followers.map((f, i) => `${f}\t${owner}\t${i % 5 === 0 ? 'pending' : i % 7 === 0 ? 'rejected' : 'accepted'}\n`);
    // The owner follows 3 of them back.
    rows.push(...followers.slice(0, 3).map((f) => `${owner}\t${f}\taccepted\n`));
    expect(await copyFromStdin(db, `COPY follows (follower_id, following_id, status) FROM STDIN`, rows)).toBe(43);

    // Drift: a wrong slot row and a row of a slot that has no edges.
    await db.query(
      `INSERT INTO user_graph_stats (user_id, slot, follower_count, following_count, pending_requests_count) VALUES ($1, 0, 999, 5, 5), ($1, 15, 3, 3, 3)
       ON CONFLICT (user_id, slot) DO UPDATE SET follower_count = 999`,
      [owner],
    );
    await rebuildGraphStats(db, [owner, ...followers]);

    const slots: { slot: number; follower_count: string; following_count: string; pending_requests_count: string }[] = await db.query(
      `SELECT slot, follower_count::text, following_count::text, pending_requests_count::text FROM user_graph_stats WHERE user_id = $1 ORDER BY slot`,
      [owner],
    );
    const expected = new Map<number, [number, number, number]>();
    followers.forEach((f, i) => {
      const slot = Number(BigInt(f) % 16n);
      const e = expected.get(slot) ?? [0, 0, 0];
      if (i % 5 === 0) e[2]++;
      else if (i % 7 !== 0) e[0]++;
      if (i < 3) e[1]++;
      expected.set(slot, e);
    });
    for (const row of slots) {
      const e = expected.get(row.slot) ?? [0, 0, 0];
      expect([row.slot, Number(row.follower_count), Number(row.following_count), Number(row.pending_requests_count)]).toEqual([row.slot, ...e]);
    }
    const [totals] = await db.query(`SELECT follower_count::int, following_count::int, pending_requests_count::int FROM user_graph_totals WHERE user_id = $1`, [owner]);
    expect(totals).toEqual({ follower_count: 28, following_count: 3, pending_requests_count: 8 });
    // A follower's following_count sits in the owner's slot.
    const [f0] = await db.query(`SELECT slot, following_count::int FROM user_graph_stats WHERE user_id = $1 AND following_count > 0`, [followers[1]]);
    expect(f0).toEqual({ slot: Number(BigInt(owner) % 16n), following_count: 1 });

    await db.query(`DELETE FROM follows WHERE follower_id = ANY($1::bigint[]) OR following_id = ANY($1::bigint[])`, [[owner, ...followers]]);
    await rebuildGraphStats(db, [owner, ...followers]);
    const [left] = await db.query(`SELECT COALESCE(SUM(follower_count + following_count + pending_requests_count), 0)::int AS n FROM user_graph_stats WHERE user_id = ANY($1::bigint[])`, [[owner, ...followers]]);
    expect(left.n).toBe(0);
  });

  it('reports a COPY error and leaves the pooled connection usable', async () => {
    const a = fresh();
    await expect(copyFromStdin(db, `COPY follows (follower_id, following_id, status) FROM STDIN`, [`${a}\t${a}\taccepted\n`])).rejects.toThrow(/check_not_self_follow/);
    await expect(copyFromStdin(db, `COPY follows (follower_id, following_id, status) FROM STDIN`, [`${a}\tnope\taccepted\n`])).rejects.toThrow(/bigint/);
    const failing = (async function* () {
      yield `${a}\t${fresh()}\taccepted\n`;
      throw new Error('disk on fire');
    })();
    await expect(copyFromStdin(db, `COPY follows (follower_id, following_id, status) FROM STDIN`, failing)).rejects.toThrow(/disk on fire/);
    const [row] = await db.query(`SELECT count(*)::int AS n FROM follows WHERE follower_id = $1`, [a]);
    expect(row.n).toBe(0);
    await Promise.all(Array.from({ length: 4 }, () => db.query('SELECT 1')));
  });
});
