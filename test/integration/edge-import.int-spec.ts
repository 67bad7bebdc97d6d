import { DataSource } from 'typeorm';
import { ImportMethod, ImportResult, InvalidEdgeListError, ValidationError } from '@graph/domain';
import { createDataSource } from '@graph/infrastructure';
import { PostgresEdgeImporter } from '@graph/infrastructure/import/postgres-edge-importer';
import { OutboxWakeup } from '@graph/infrastructure/postgres/outbox';
import { testInfra } from '../setup/test-infra';
import { recreateDatabase } from '../support/throwaway-database';

/**
 * The bulk importer's two methods on real PostgreSQL, in a database of this file's own (the initial
 * load needs empty follows and user_graph_stats): the initial load gives what the merge gives, keeps
 * every guarantee (duplicates and self-loops counted, blocks respected, all or nothing, indexes and
 * constraints back after a failure), and gives way to the merge when it cannot lock the tables.
 */
describe('PostgresEdgeImporter: initial load and merge', () => {
  let db: DataSource;
  let importer: PostgresEdgeImporter;

  beforeAll(async () => {
    const url = new URL(testInfra.databaseUrl);
    url.pathname = `${url.pathname}_edge_import`;
    await recreateDatabase(url.toString(), /test/);
    db = createDataSource(url.toString(), 4, 60000);
    await db.initialize();
    importer = new PostgresEdgeImporter(db, new OutboxWakeup());
  }, 60_000);

  afterAll(() => db.destroy());

  beforeEach(() => db.query(`TRUNCATE follows, user_graph_stats, blocks, outbox_events`));

  /** A deterministic list: 3,000 lines over 200 users with repeats, self-loops, comments and CRLF. */
  function edgeList(): string {
    const lines = ['# FromNodeId\tToNodeId'];
    let x = 12345;
    for (let i = 0; i < 3000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const a = 1000 + (x % 200);
      const b = 1000 + (Math.floor(x / 200) % 200);
      lines.push(i % 7 === 0 ? `${a}\t${b}\r` : `${a} ${b}`);
    }
    return lines.join('\n') + '\n';
  }

  async function run(text: string, method: ImportMethod = 'auto', emitEvents = false): Promise<ImportResult> {
    const bytes = Buffer.from(text);
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 4096) yield bytes.subarray(i, i + 4096);
    }
    return importer.importEdges(chunks(), { emitEvents, method });
  }

  async function graph(): Promise<{ follows: unknown[]; stats: unknown[] }> {
    return {
      follows: await db.query(`SELECT follower_id::text, following_id::text, status, notify, show_reposts, languages FROM follows ORDER BY 1, 2`),
      stats: await db.query(`SELECT user_id::text, slot, follower_count::int, following_count::int, pending_requests_count::int FROM user_graph_stats ORDER BY 1, 2`),
    };
  }

  async function schema(): Promise<unknown[]> {
    return db.query(
      `SELECT c.relname AS table, x.relname AS index, pg_get_indexdef(i.indexrelid) AS def, i.indisprimary, i.indisvalid
         FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid
        WHERE c.relname IN ('follows', 'user_graph_stats')
       UNION ALL
       SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype = 'p', convalidated
         FROM pg_constraint WHERE conrelid IN ('follows'::regclass, 'user_graph_stats'::regclass)
       UNION ALL
       SELECT table_name::text, column_name::text, COALESCE(column_default, '(none)')::text, is_nullable = 'NO', true
         FROM information_schema.columns WHERE table_name IN ('follows', 'user_graph_stats')
        ORDER BY 1, 2, 3`,
    );
  }

  /** Counters recounted from follows, slot by slot. */
  async function recount(): Promise<unknown[]> {
    return db.query(
      `SELECT user_id::text, slot, SUM(fr)::int AS follower_count, SUM(fg)::int AS following_count, 0 AS pending_requests_count FROM (
         SELECT following_id AS user_id, (follower_id % 16)::smallint AS slot, 1 AS fr, 0 AS fg FROM follows
         UNION ALL SELECT follower_id, (following_id % 16)::smallint, 0, 1 FROM follows) d
        GROUP BY 1, 2 ORDER BY 1, 2`,
    );
  }

  const outcome = (r: ImportResult) => ({ lines: r.lines, loaded: r.loaded, duplicates: r.duplicates, selfLoops: r.selfLoops, blocked: r.blocked, affectedUsers: r.affectedUsers, events: r.events });

  it('loads empty tables by the initial load with the same edges, counters and counts as the merge, indexes as migrated', async () => {
    const before = await schema();
    await db.query(`INSERT INTO blocks (blocker_id, blocked_id) VALUES (1003, 1007), (1010, 1001)`);
    const text = edgeList() + '1003 1007\n1001 1010\n';
    const initial = await run(text);
    expect(initial.method).toBe('initial-load');
    expect(initial.phasesMs).toEqual(expect.objectContaining({ copy: expect.any(Number), merge: expect.any(Number), index: expect.any(Number), counters: expect.any(Number) }));
    const loaded = await graph();
    expect(await schema()).toEqual(before);
    expect(loaded.stats).toEqual(await recount());

    await db.query(`TRUNCATE follows, user_graph_stats`);
    const merged = await run(text, 'merge');
    expect(merged.method).toBe('merge');
    expect(await graph()).toEqual(loaded);
    expect(outcome(initial)).toEqual(outcome(merged));
    expect(initial.affectedUserIds?.slice().sort()).toEqual(merged.affectedUserIds?.slice().sort());

    // The list has repeats, self-loops and blocked pairs, all counted; every line is accounted for.
    expect(initial.lines).toBe(3002);
    expect(initial.duplicates).toBeGreaterThan(0);
    expect(initial.selfLoops).toBeGreaterThan(0);
    expect(initial.blocked).toBeGreaterThan(0);
    expect(initial.loaded + initial.duplicates + initial.selfLoops + initial.blocked).toBe(initial.lines);
    expect(initial.events).toBe(0);
    expect(await db.query(`SELECT count(*)::int AS n FROM outbox_events`)).toEqual([{ n: 0 }]);
    const pairs = (await db.query(
      `SELECT count(*)::int AS n FROM follows WHERE (follower_id, following_id) IN ((1003, 1007), (1007, 1003), (1010, 1001), (1001, 1010))`,
    )) as { n: number }[];
    expect(pairs).toEqual([{ n: 0 }]);
  });

  it('counts alike by either method with 17-digit ids and ids up to 2^63-1', async () => {
    const base = [10n ** 16n, 9223372036854775807n - 2000n];
    for (const offset of base) {
      const text = edgeList().replace(/\d+/g, (id) => String(offset + BigInt(id)));
      for (const method of ['initial-load', 'merge'] as const) {
        await db.query(`TRUNCATE follows, user_graph_stats`);
        const r = await run(text, method);
        expect({ offset: String(offset), method, loaded: r.loaded > 0, stats: (await graph()).stats }).toEqual({ offset: String(offset), method, loaded: true, stats: await recount() });
      }
    }
  });

  it('re-run after an initial load is a merge that changes nothing', async () => {
    const text = edgeList();
    const first = await run(text);
    const loaded = await graph();
    const again = await run(text);
    expect(again.method).toBe('merge');
    expect(again).toMatchObject({ loaded: 0, duplicates: first.loaded + first.duplicates, selfLoops: first.selfLoops, affectedUsers: 0 });
    expect(await graph()).toEqual(loaded);
  });

  it('leaves nothing behind on a bad line', async () => {
    const before = await schema();
    const error = (await run(edgeList() + '1 2\nnot an edge\n').catch((e: unknown) => e)) as InvalidEdgeListError;
    expect(error).toBeInstanceOf(InvalidEdgeListError);
    expect(error.details).toEqual({ line: 3003 });
    expect(await graph()).toEqual({ follows: [], stats: [] });
    expect(await schema()).toEqual(before);
  });

  it('brings the dropped indexes and primary keys back when the initial load fails after dropping them', async () => {
    const before = await schema();
    // A real failure inside the load (after the COPY, with the indexes dropped): a trigger refusing one row.
    await db.query(`CREATE FUNCTION refuse_4242() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.follower_id = 4242 THEN RAISE EXCEPTION 'refused 4242'; END IF; RETURN NEW; END $$`);
    await db.query(`CREATE TRIGGER refuse_4242 BEFORE INSERT ON follows FOR EACH ROW EXECUTE FUNCTION refuse_4242()`);
    try {
      await expect(run(edgeList() + '4242 1\n', 'initial-load')).rejects.toThrow(/refused 4242/);
    } finally {
      await db.query(`DROP TRIGGER refuse_4242 ON follows`);
      await db.query(`DROP FUNCTION refuse_4242()`);
    }
    expect(await schema()).toEqual(before);
    expect(await graph()).toEqual({ follows: [], stats: [] });
    // The primary key is enforced again.
    await db.query(`INSERT INTO follows (follower_id, following_id, status) VALUES (1, 2, 'accepted')`);
    await expect(db.query(`INSERT INTO follows (follower_id, following_id, status) VALUES (1, 2, 'accepted')`)).rejects.toThrow(/duplicate key/);
  });

  /** Runs `work` while another session holds `lockSql` in an open transaction (as a write in flight does). */
  async function whileAnotherSessionHolds(lockSql: string, work: () => Promise<void>): Promise<void> {
    const other = db.createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      await other.query(lockSql);
      await work();
    } finally {
      await other.rollbackTransaction().catch(() => undefined);
      await other.release();
    }
  }

  it('falls back to the merge when another session holds a lock on the tables (auto)', async () => {
    // What a follow in flight holds: ROW EXCLUSIVE, which the initial load's ACCESS EXCLUSIVE waits for.
    await whileAnotherSessionHolds(`LOCK TABLE user_graph_stats IN ROW EXCLUSIVE MODE`, async () => {
      const started = Date.now();
      const result = await run(edgeList());
      expect(result.method).toBe('merge');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
      const loaded = await graph();
      expect(loaded.follows).toHaveLength(result.loaded);
      expect(loaded.stats).toEqual(await recount());
    });
  }, 30_000);

  it('refuses initial-load when it cannot have the locks within 2 s or the tables are not empty, leaving nothing', async () => {
    await whileAnotherSessionHolds(`LOCK TABLE follows IN ROW EXCLUSIVE MODE`, async () => {
      await expect(run(edgeList(), 'initial-load')).rejects.toBeInstanceOf(ValidationError);
    });
    expect(await graph()).toEqual({ follows: [], stats: [] });
    await run('1 2\n', 'merge');
    await expect(run(edgeList(), 'initial-load')).rejects.toBeInstanceOf(ValidationError);
    expect((await graph()).follows).toHaveLength(1);
  }, 30_000);

  it('writes one follow event per loaded edge when asked, by either method', async () => {
    const initial = await run('1 2\n2 1\n1 2\n3 3\n', 'auto', true);
    expect(initial).toMatchObject({ method: 'initial-load', loaded: 2, duplicates: 1, selfLoops: 1, events: 2 });
    const events = (await db.query(`SELECT payload FROM outbox_events ORDER BY id`)) as { payload: { follower_id: string; metadata: { is_mutual: boolean; imported: boolean } } }[];
    expect(events.map((e) => e.payload.metadata)).toEqual([
      { is_mutual: true, imported: true },
      { is_mutual: true, imported: true },
    ]);
    const merged = await run('1 2\n4 1\n', 'auto', true);
    expect(merged).toMatchObject({ method: 'merge', loaded: 1, duplicates: 1, events: 1 });
  });
});
