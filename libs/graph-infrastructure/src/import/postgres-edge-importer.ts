import { DataSource, QueryRunner } from 'typeorm';
import { EdgeImporter, ImportOptions, ImportProgress, ImportResult, InvalidEdgeListError, UserId, ValidationError } from '@graph/domain';
import { copyFromStdin } from '../postgres/copy-from';
import { sqlState } from '../postgres/dependency-errors';
import { STATS_SLOTS } from '../postgres/graph-stats-slots';
import { OutboxWakeup, followEventsFromEdgesSql } from '../postgres/outbox';
import { EdgeListParser } from './edge-list-parser';

/** Above this many affected users the cache is dropped as a whole (epoch bump) rather than user by user. */
const IMPORT_EVICT_LIMIT = 10_000;
/** How long an initial load waits for its exclusive locks before it gives way to the merge. */
const INITIAL_LOAD_LOCK_TIMEOUT = '2s';
/** Memory for the sorts of the initial load's index builds and dedupe (per session, this transaction only). */
const INITIAL_LOAD_MAINTENANCE_WORK_MEM = '512MB';
const INITIAL_LOAD_WORK_MEM = '256MB';
const LOCK_NOT_AVAILABLE = '55P03';
const UNIQUE_VIOLATION = '23505';

/** An index or primary key of a table, as it has to be recreated. */
interface IndexDefinition {
  name: string;
  /** Set for an index that backs a constraint (the primary key). */
  constraint: string | null;
  definition: string;
}

/**
 * The edge list is streamed through COPY and loaded in one of two ways, both in one transaction (a
 * bad line aborts the COPY and nothing of the import is left):
 *
 * - merge: COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING (an edge already there, or twice in the
 *   file, is a duplicate), and the counters of the users it touched get their deltas in one sorted
 *   upsert, the write path's lock order. Deltas rather than a recount: a follow committing during
 *   the import is counted exactly once either way (a recount would race it).
 * - initial load, when follows and user_graph_stats are empty: as pg_restore does, the two tables
 *   are locked exclusively before the COPY (waiting at most INITIAL_LOAD_LOCK_TIMEOUT, else the
 *   merge runs), their indexes and primary keys dropped, the rows COPYed straight into follows (the
 *   bulk path: no per-row WAL record, no staging table), blocked pairs and repeats deleted and
 *   counted, the indexes rebuilt in one sort each and the counters written by one GROUP BY. Nobody
 *   else can write while the locks are held, so the recount is exact; a rollback brings the dropped
 *   indexes back.
 */
export class PostgresEdgeImporter extends EdgeImporter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly wakeup: OutboxWakeup,
  ) {
    super();
  }

  async importEdges(source: AsyncIterable<Buffer>, options: ImportOptions): Promise<ImportResult> {
    const started = Date.now();
    const phasesMs: Record<string, number> = {};
    let mark = started;
    const phase = (name: string) => {
      const now = Date.now();
      phasesMs[name] = (phasesMs[name] ?? 0) + (now - mark);
      mark = now;
    };
    const method = options.method ?? 'auto';
    const parser = new EdgeListParser();
    const progress = (p: ImportProgress['phase']): ImportProgress => ({
      phase: p,
      bytesRead: options.position?.() ?? parser.counts.bytesRead,
      totalBytes: options.totalBytes ?? null,
      lines: parser.counts.lines,
      edges: parser.counts.edges,
    });
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // The import may outlast the pool's per-statement timeout. The merge holds no lock others wait
      // on until its counter upsert at the end; the initial load locks its (empty) tables throughout.
      await runner.query(`SET LOCAL statement_timeout = 0`);
      // The pool's sessions run without JIT (see createDataSource); statements over millions of
      // rows are where it pays.
      await runner.query(`SET LOCAL jit = on`);
      // The initial load is decided first: it COPYs straight into follows, as pg_restore does.
      const initial = method !== 'merge' && (await this.lockEmptyTables(runner));
      phase('lock');
      if (!initial && method === 'initial-load') {
        throw new ValidationError(`initial-load needs empty follows and user_graph_stats tables and their locks within ${INITIAL_LOAD_LOCK_TIMEOUT}; use merge or auto`, 'method');
      }
      const rows = parser.rows(source, () => options.onProgress?.(progress('reading')));
      const copy = async (sql: string): Promise<number> => {
        try {
          return await copyFromStdin(runner, sql, rows);
        } catch (error) {
          // The COPY failed because the parser threw: report the parser's error, not the server's echo of it.
          throw parser.failure ?? error;
        }
      };
      const [{ any_block: anyBlock }] = (await runner.query(`SELECT EXISTS (SELECT 1 FROM blocks) AS any_block`)) as { any_block: boolean }[];
      const load = initial
        ? await this.initialLoad(runner, copy, anyBlock, options.emitEvents, phase, () => options.onProgress?.(progress('merging')))
        : await this.merge(runner, copy, anyBlock, options.emitEvents, phase, () => options.onProgress?.(progress('merging')));
      await runner.commitTransaction();
      phase('commit');
      if (load.events > 0) this.wakeup.notify();
      options.onProgress?.(progress('done'));
      return {
        lines: parser.counts.lines,
        loaded: load.loaded,
        duplicates: load.staged - load.loaded - load.blocked,
        selfLoops: parser.counts.selfLoops,
        blocked: load.blocked,
        affectedUsers: load.affectedUsers,
        events: load.events,
        elapsedMs: Date.now() - started,
        method: initial ? 'initial-load' : 'merge',
        phasesMs,
        affectedUserIds: load.affected.length > IMPORT_EVICT_LIMIT ? null : load.affected,
      };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error instanceof InvalidEdgeListError || error instanceof ValidationError ? error : (parser.failure ?? error);
    } finally {
      await runner.release();
    }
  }

  /**
   * Whether follows and user_graph_stats are empty and now locked by this transaction. Checked
   * before (cheap, no lock) and again under the locks (a writer may have come between). A lock not
   * granted within INITIAL_LOAD_LOCK_TIMEOUT, or rows found, roll back to the savepoint: no lock kept.
   */
  private async lockEmptyTables(runner: QueryRunner): Promise<boolean> {
    const empty = async () =>
      ((await runner.query(`SELECT NOT EXISTS (SELECT 1 FROM follows) AND NOT EXISTS (SELECT 1 FROM user_graph_stats) AS empty`)) as { empty: boolean }[])[0]!.empty;
    if (!(await empty())) return false;
    await runner.query(`SAVEPOINT import_initial_load`);
    try {
      await runner.query(`SET LOCAL lock_timeout = '${INITIAL_LOAD_LOCK_TIMEOUT}'`);
      await runner.query(`LOCK TABLE follows, user_graph_stats IN ACCESS EXCLUSIVE MODE`);
      if (!(await empty())) {
        await runner.query(`ROLLBACK TO SAVEPOINT import_initial_load`);
        return false;
      }
      await runner.query(`SET LOCAL lock_timeout = 0`);
      await runner.query(`RELEASE SAVEPOINT import_initial_load`);
      return true;
    } catch (error) {
      if (sqlState(error) !== LOCK_NOT_AVAILABLE) throw error;
      // Another session holds or waits for a lock on the tables: the merge, which needs none of its own, runs instead.
      await runner.query(`ROLLBACK TO SAVEPOINT import_initial_load`);
      return false;
    }
  }

  private async merge(runner: QueryRunner, copy: Copy, anyBlock: boolean, emitEvents: boolean, phase: (name: string) => void, merging: () => void): Promise<LoadOutcome> {
    await runner.query(`CREATE TEMP TABLE import_edges (follower_id bigint NOT NULL, following_id bigint NOT NULL) ON COMMIT DROP`);
    const staged = await copy(`COPY import_edges FROM STDIN`);
    phase('copy');
    merging();
    const notBlocked = anyBlock ? `WHERE NOT ${blockedSql('e')}` : '';
    const blocked = anyBlock ? Number(((await runner.query(`SELECT count(*)::bigint AS n FROM import_edges e WHERE ${blockedSql('e')}`)) as { n: string }[])[0]!.n) : 0;
    await runner.query(`CREATE TEMP TABLE import_new (follower_id bigint NOT NULL, following_id bigint NOT NULL) ON COMMIT DROP`);
    const loaded = await rowCount(
      runner,
      `WITH inserted AS (
         INSERT INTO follows (follower_id, following_id, status)
         SELECT e.follower_id, e.following_id, 'accepted' FROM import_edges e ${notBlocked}
         ON CONFLICT (follower_id, following_id) DO NOTHING
         RETURNING follower_id, following_id)
       INSERT INTO import_new SELECT follower_id, following_id FROM inserted`,
    );
    phase('merge');
    const events = emitEvents ? await rowCount(runner, followEventsFromEdgesSql(newEdgesSql('import_new'), 'imported')) : 0;
    if (emitEvents) phase('events');
    const { affected, affectedUsers } = await affectedUsersOf(runner, `SELECT follower_id AS user_id FROM import_new UNION SELECT following_id FROM import_new`);
    // Last, so the (possibly hot) counter rows are locked only until the commit right after.
    await runner.query(
      `INSERT INTO user_graph_stats AS s (user_id, slot, follower_count, following_count, pending_requests_count, updated_at)
       SELECT user_id, slot, SUM(followers), SUM(followings), 0, $1::timestamptz
         FROM (${slotDeltasSql('import_new')}) d
        GROUP BY user_id, slot
        ORDER BY user_id, slot
       ON CONFLICT (user_id, slot) DO UPDATE SET
         follower_count = s.follower_count + EXCLUDED.follower_count,
         following_count = s.following_count + EXCLUDED.following_count,
         updated_at = EXCLUDED.updated_at`,
      [new Date()], // the clock as a parameter, not now() in DO UPDATE: shardable (docs/scaling.md)
    );
    phase('counters');
    return { staged, blocked, loaded, events, affectedUsers, affected };
  }

  /** The load into empty, exclusively locked tables (see the class comment). */
  private async initialLoad(runner: QueryRunner, copy: Copy, anyBlock: boolean, emitEvents: boolean, phase: (name: string) => void, merging: () => void): Promise<LoadOutcome> {
    await runner.query(`SET LOCAL maintenance_work_mem = '${INITIAL_LOAD_MAINTENANCE_WORK_MEM}'`);
    await runner.query(`SET LOCAL work_mem = '${INITIAL_LOAD_WORK_MEM}'`);
    const followsIndexes = await dropIndexes(runner, 'follows');
    const statsIndexes = await dropIndexes(runner, 'user_graph_stats');
    // COPY's bulk path (many rows per WAL record) straight into the index-less table; the default
    // status for the copy only (catalog changes roll back with the rest).
    await runner.query(`ALTER TABLE follows ALTER COLUMN status SET DEFAULT 'accepted'`);
    phase('drop');
    const staged = await copy(`COPY follows (follower_id, following_id) FROM STDIN`);
    await runner.query(`ALTER TABLE follows ALTER COLUMN status DROP DEFAULT`);
    phase('copy');
    merging();
    const blocked = anyBlock ? await rowCount(runner, `DELETE FROM follows e WHERE ${blockedSql('e')}`) : 0;
    phase('merge');
    // Repeats in the file: building the primary key finds them for free when there are none (the
    // common case); otherwise the extra copies are deleted (and counted) and the key built again.
    const [primaryKey, ...otherIndexes] = followsIndexes;
    let duplicates = 0;
    await runner.query(`SAVEPOINT import_primary_key`);
    try {
      await recreateIndexes(runner, [primaryKey!]);
      await runner.query(`RELEASE SAVEPOINT import_primary_key`);
    } catch (error) {
      if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
      await runner.query(`ROLLBACK TO SAVEPOINT import_primary_key`);
      duplicates = await rowCount(
        runner,
        `DELETE FROM follows f USING (
           SELECT ctid AS row FROM (SELECT ctid, row_number() OVER (PARTITION BY follower_id, following_id) AS n FROM follows) r WHERE n > 1) d
         WHERE f.ctid = d.row`,
      );
      phase('merge');
      await recreateIndexes(runner, [primaryKey!]);
    }
    const loaded = staged - blocked - duplicates;
    phase('index');
    await recreateIndexes(runner, otherIndexes);
    phase('index');
    // Every row of follows is new: the recount is the counters, exact (no writer can come between).
    // Grouped by a sort rather than a hash (the groups are about as many as the deltas, so hashing
    // buys nothing) and written in key order: the primary key is then built over sorted rows and the
    // affected users are read in order (counters + affected 31 → 27 s for 10 M edges).
    await runner.query(`SET LOCAL enable_hashagg = off`);
    await runner.query(
      `INSERT INTO user_graph_stats (user_id, slot, follower_count, following_count, pending_requests_count, updated_at)
       SELECT user_id, slot, SUM(followers), SUM(followings), 0, $1::timestamptz
         FROM (${slotDeltasSql('follows')}) d
        GROUP BY user_id, slot
        ORDER BY user_id, slot`,
      [new Date()],
    );
    await runner.query(`RESET enable_hashagg`);
    await recreateIndexes(runner, statsIndexes);
    phase('counters');
    const events = emitEvents ? await rowCount(runner, followEventsFromEdgesSql(newEdgesSql('follows'), 'imported')) : 0;
    if (emitEvents) phase('events');
    const { affected, affectedUsers } = await affectedUsersOf(runner, `SELECT DISTINCT user_id FROM user_graph_stats`);
    phase('affected');
    // No ANALYZE here: autovacuum analyzes both tables soon after the commit (every row is new).
    return { staged, blocked, loaded, events, affectedUsers, affected };
  }
}

type Copy = (copySql: string) => Promise<number>;

interface LoadOutcome {
  /** Rows the COPY took (self-loops already skipped by the parser). */
  staged: number;
  blocked: number;
  loaded: number;
  events: number;
  affectedUsers: number;
  affected: UserId[];
}

/** Whether a block exists either way between the edge's users (`e` the edge's alias). */
function blockedSql(e: string): string {
  return `EXISTS (SELECT 1 FROM blocks b
                   WHERE (b.blocker_id = ${e}.follower_id AND b.blocked_id = ${e}.following_id)
                      OR (b.blocker_id = ${e}.following_id AND b.blocked_id = ${e}.follower_id))`;
}

/** Each new edge A→B as +1 follower of B in slot A mod 16 and +1 following of A in slot B mod 16. */
function slotDeltasSql(table: string): string {
  return `SELECT following_id AS user_id, (follower_id % ${STATS_SLOTS})::smallint AS slot, 1 AS followers, 0 AS followings FROM ${table}
          UNION ALL
          SELECT follower_id, (following_id % ${STATS_SLOTS})::smallint, 0, 1 FROM ${table}`;
}

function newEdgesSql(table: string): string {
  return `SELECT follower_id, following_id, 'accepted'::text AS status, false AS notify, true AS show_reposts, NULL::text[] AS languages FROM ${table}`;
}

/** Drops the table's indexes (the primary key as a constraint) and returns how to recreate them. */
async function dropIndexes(runner: QueryRunner, table: string): Promise<IndexDefinition[]> {
  const indexes = (await runner.query(
    `SELECT i.indexrelid::regclass::text AS name, c.conname AS constraint,
            COALESCE(pg_get_constraintdef(c.oid), pg_get_indexdef(i.indexrelid)) AS definition
       FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
      WHERE i.indrelid = $1::regclass
      ORDER BY i.indisprimary DESC, name`,
    [table],
  )) as IndexDefinition[];
  for (const index of indexes) {
    await runner.query(index.constraint ? `ALTER TABLE ${table} DROP CONSTRAINT "${index.constraint}"` : `DROP INDEX ${index.name}`);
  }
  return indexes.map((index) => ({ ...index, definition: index.constraint ? `ALTER TABLE ${table} ADD CONSTRAINT "${index.constraint}" ${index.definition}` : index.definition }));
}

/**
 * How many distinct users `usersSql` (a query of distinct `user_id`s) names, and the first
 * IMPORT_EVICT_LIMIT + 1 of them, in one scan (the window count is taken before the LIMIT).
 */
async function affectedUsersOf(runner: QueryRunner, usersSql: string): Promise<{ affected: UserId[]; affectedUsers: number }> {
  const rows = (await runner.query(
    `SELECT user_id::text AS user_id, count(*) OVER ()::int AS n FROM (${usersSql}) u ORDER BY u.user_id LIMIT ${IMPORT_EVICT_LIMIT + 1}`,
  )) as { user_id: UserId; n: number }[];
  return { affected: rows.map((r) => r.user_id), affectedUsers: rows[0]?.n ?? 0 };
}

async function recreateIndexes(runner: QueryRunner, indexes: IndexDefinition[]): Promise<void> {
  for (const index of indexes) await runner.query(index.definition);
}

async function rowCount(runner: { query(sql: string, p?: unknown[], raw?: boolean): Promise<unknown> }, sql: string): Promise<number> {
  const result = (await runner.query(sql, [], true)) as { affected?: number | null };
  return result.affected ?? 0;
}
