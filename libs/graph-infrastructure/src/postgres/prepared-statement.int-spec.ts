import { createDataSource } from './data-source';
import { queryPrepared } from './prepared-statement';
import { testInfra } from '../../../../test/setup/test-infra';

describe('queryPrepared (PostgreSQL)', () => {
  it('prepares a text once per connection, then only executes it; a failing call leaves the connection and its statements usable', async () => {
    // One connection, so every call below lands on the same session.
    const db = createDataSource(testInfra.databaseUrl, 1, 10000);
    await db.initialize();
    try {
      const sql = 'SELECT $1::int + $2::int AS sum, pg_backend_pid() AS pid';
      const first = await queryPrepared<{ sum: number; pid: number }>(db, sql, [1, 2]);
      const second = await queryPrepared<{ sum: number; pid: number }>(db, sql, [40, 2]);
      expect(first.map((r) => r.sum)).toEqual([3]);
      expect(second.map((r) => r.sum)).toEqual([42]);
      expect(second[0]!.pid).toBe(first[0]!.pid);

      await expect(queryPrepared(db, 'SELECT 1 / $1::int AS q', [0])).rejects.toMatchObject({ code: '22012' });
      // Same session after the failure, with both statements still prepared on it.
      const prepared = await db.query(
        `SELECT name, statement, pg_backend_pid() AS pid FROM pg_prepared_statements WHERE statement IN ($1, 'SELECT 1 / $1::int AS q') ORDER BY statement`,
        [sql],
      );
      expect(prepared).toHaveLength(2);
      expect(prepared[0].pid).toBe(first[0]!.pid);
      expect(prepared.map((r: { name: string }) => r.name).every((n: string) => /^graph_[0-9a-f]{16}$/.test(n))).toBe(true);
      const [again] = await queryPrepared<{ sum: number }>(db, sql, [5, 5]);
      expect(again!.sum).toBe(10);
      // One prepared statement, run three times (each run is a custom or a generic plan of it).
      const [runs] = await db.query(`SELECT count(*)::int AS n, sum(generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements WHERE statement = $1`, [sql]);
      expect(runs).toEqual({ n: 1, runs: 3 });
    } finally {
      await db.destroy();
    }
  });

  it('a connection lost mid-call rejects that call only (no unhandled error event); the next call gets a fresh connection', async () => {
    const db = createDataSource(testInfra.databaseUrl, 1, 10000);
    await db.initialize();
    try {
      const pidSql = 'SELECT pg_backend_pid() AS pid';
      const [before] = await queryPrepared<{ pid: number }>(db, pidSql, []);
      const sleeping = queryPrepared(db, 'SELECT pg_sleep($1::float8)', [5]);
      const failed = expect(sleeping).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 200));
      // From a session of its own (the only pooled one is busy sleeping).
      const other = createDataSource(testInfra.databaseUrl, 1, 10000);
      await other.initialize();
      await other.query('SELECT pg_terminate_backend($1)', [before!.pid]);
      await other.destroy();
      await failed;
      const [after] = await queryPrepared<{ pid: number }>(db, pidSql, []);
      expect(after!.pid).not.toBe(before!.pid);
    } finally {
      await db.destroy();
    }
  });
});
