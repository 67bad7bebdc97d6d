import { DataSource } from 'typeorm';
import { EdgeImporter, ImportOptions, ImportProgress, ImportResult, InvalidEdgeListError, UserId } from '@graph/domain';
import { copyFromStdin } from '../postgres/copy-from';
import { STATS_SLOTS } from '../postgres/graph-stats-slots';
import { OutboxWakeup, followEventsFromEdgesSql } from '../postgres/outbox';
import { EdgeListParser } from './edge-list-parser';

/** Above this many affected users the cache is dropped as a whole (epoch bump) rather than user by user. */
const IMPORT_EVICT_LIMIT = 10_000;

/**
 * The edge list is streamed through COPY into a temporary table, then merged by one
 * INSERT … SELECT … ON CONFLICT DO NOTHING (an edge already there, or twice in the file, is a
 * duplicate), and the counters of the users it touched get their deltas in one sorted upsert, the
 * write path's lock order. All of it is one transaction: a bad line aborts the COPY and nothing of
 * the import is left. Deltas rather than a recount: a follow committing during the import is
 * counted exactly once either way (a recount would race it).
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
    const parser = new EdgeListParser();
    const progress = (phase: ImportProgress['phase']): ImportProgress => ({
      phase,
      bytesRead: options.position?.() ?? parser.counts.bytesRead,
      totalBytes: options.totalBytes ?? null,
      lines: parser.counts.lines,
      edges: parser.counts.edges,
    });
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // The import may outlast the pool's per-statement timeout; it holds no lock others wait on
      // until the counter upsert at the end.
      await runner.query(`SET LOCAL statement_timeout = 0`);
      await runner.query(`CREATE TEMP TABLE import_edges (follower_id bigint NOT NULL, following_id bigint NOT NULL) ON COMMIT DROP`);
      await runner.query(`CREATE TEMP TABLE import_new (follower_id bigint NOT NULL, following_id bigint NOT NULL) ON COMMIT DROP`);
      let staged: number;
      try {
        staged = await copyFromStdin(runner, `COPY import_edges FROM STDIN`, parser.rows(source, () => options.onProgress?.(progress('reading'))));
      } catch (error) {
        // The COPY failed because the parser threw: report the parser's error, not the server's echo of it.
        throw parser.failure ?? error;
      }
      options.onProgress?.(progress('merging'));
      const [{ any_block: anyBlock }] = (await runner.query(`SELECT EXISTS (SELECT 1 FROM blocks) AS any_block`)) as { any_block: boolean }[];
      const notBlocked = anyBlock
        ? `WHERE NOT EXISTS (SELECT 1 FROM blocks b
                             WHERE (b.blocker_id = e.follower_id AND b.blocked_id = e.following_id)
                                OR (b.blocker_id = e.following_id AND b.blocked_id = e.follower_id))`
        : '';
      const blocked = anyBlock
        ? Number(((await runner.query(`SELECT count(*)::bigint AS n FROM import_edges e WHERE NOT ${notBlocked.slice('WHERE '.length)}`)) as { n: string }[])[0]!.n)
        : 0;
      const loaded = await rowCount(
        runner,
        `WITH inserted AS (
           INSERT INTO follows (follower_id, following_id, status)
           SELECT e.follower_id, e.following_id, 'accepted' FROM import_edges e ${notBlocked}
           ON CONFLICT (follower_id, following_id) DO NOTHING
           RETURNING follower_id, following_id)
         INSERT INTO import_new SELECT follower_id, following_id FROM inserted`,
      );
      const events = options.emitEvents
        ? await rowCount(runner, followEventsFromEdgesSql(`SELECT follower_id, following_id, 'accepted'::text AS status, false AS notify, true AS show_reposts, NULL::text[] AS languages FROM import_new`, 'imported'))
        : 0;
      const affected = (await runner.query(
        `SELECT user_id::text AS user_id FROM (SELECT follower_id AS user_id FROM import_new UNION SELECT following_id FROM import_new) u
          ORDER BY user_id LIMIT ${IMPORT_EVICT_LIMIT + 1}`,
      )) as { user_id: UserId }[];
      const [{ n: affectedUsers }] = (await runner.query(
        `SELECT count(*)::int AS n FROM (SELECT follower_id FROM import_new UNION SELECT following_id FROM import_new) u`,
      )) as { n: number }[];
      // Last, so the (possibly hot) counter rows are locked only until the commit right after.
      await runner.query(
        `INSERT INTO user_graph_stats AS s (user_id, slot, follower_count, following_count, pending_requests_count, updated_at)
         SELECT user_id, slot, SUM(followers), SUM(followings), 0, $1::timestamptz
           FROM (SELECT following_id AS user_id, (follower_id % ${STATS_SLOTS})::smallint AS slot, 1 AS followers, 0 AS followings FROM import_new
                 UNION ALL
                 SELECT follower_id, (following_id % ${STATS_SLOTS})::smallint, 0, 1 FROM import_new) d
          GROUP BY user_id, slot
          ORDER BY user_id, slot
         ON CONFLICT (user_id, slot) DO UPDATE SET
           follower_count = s.follower_count + EXCLUDED.follower_count,
           following_count = s.following_count + EXCLUDED.following_count,
           updated_at = EXCLUDED.updated_at`,
        [new Date()], // the clock as a parameter, not now() in DO UPDATE: shardable (docs/scaling.md)
      );
      await runner.commitTransaction();
      if (events > 0) this.wakeup.notify();
      options.onProgress?.(progress('done'));
      return {
        lines: parser.counts.lines,
        loaded,
        duplicates: staged - loaded - blocked,
        selfLoops: parser.counts.selfLoops,
        blocked,
        affectedUsers,
        events,
        elapsedMs: Date.now() - started,
        affectedUserIds: affected.length > IMPORT_EVICT_LIMIT ? null : affected.map((r) => r.user_id),
      };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error instanceof InvalidEdgeListError ? error : (parser.failure ?? error);
    } finally {
      await runner.release();
    }
  }
}

async function rowCount(runner: { query(sql: string, p?: unknown[], raw?: boolean): Promise<unknown> }, sql: string): Promise<number> {
  const result = (await runner.query(sql, [], true)) as { affected?: number | null };
  return result.affected ?? 0;
}
