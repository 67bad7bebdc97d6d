import { DataSource, EntityManager } from 'typeorm';
import {
  BlockedError,
  DEFAULT_FOLLOW_OPTIONS,
  EraseOutcome,
  FollowOptions,
  FollowOptionsOutcome,
  FollowOptionsPatch,
  FollowOutcome,
  FollowStatus,
  GraphEvent,
  GraphWriteRepository,
  PrivacyOutcome,
  RequestNotFoundError,
  RequestResponseOutcome,
  UnfollowReason,
  UserId,
  compareUserIds,
  sameFollowOptions,
  withFollowOptions,
} from '@graph/domain';
import { STATS_SLOTS } from './graph-stats-slots';
import { OutboxWakeup, insertOutboxEvents, insertOutboxRows, toBlockOutboxRow, wroteOutboxEvents } from './outbox';
import { epochMicrosSql } from './sql-runner';
import { translateDriverError } from './dependency-errors';

/**
 * Transaction-scoped lock on the unordered pair {$1, $2}. Follow and block take it first, so a follow
 * cannot slip in beside a concurrent block (under READ COMMITTED neither would see the other's
 * uncommitted row otherwise). Per pair, so it never makes followers of one account queue.
 */
const PAIR_LOCK = `pg_advisory_xact_lock(hashtextextended(least($1::bigint, $2::bigint)::text || ':' || greatest($1::bigint, $2::bigint)::text, 0))`;

/** Deadlocks between set-based operations (erase, privacy, block) are rare; the transaction is retried. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;
/** Events per outbox INSERT: 4 parameters each, well under PostgreSQL's 65,535. */
const OUTBOX_CHUNK = 2000;

type StoredStatus = FollowStatus | 'rejected';

interface EdgeRow {
  follower_id: UserId;
  following_id: UserId;
  status: StoredStatus;
}

function slotOf(userId: UserId): number {
  return Number(BigInt(userId) % BigInt(STATS_SLOTS));
}

/**
 * Changes to the striped counters of one transaction. The edge A→B counts in slot `B mod 16` of A's
 * rows and slot `A mod 16` of B's (migration comment), so each slot row is exact on its own.
 */
class CounterDeltas {
  private readonly rows = new Map<string, { userId: UserId; slot: number; followers: number; following: number; pending: number }>();

  /** The edge follower→following went from `from` to `to` (null: absent). */
  edge(followerId: UserId, followingId: UserId, from: StoredStatus | null, to: StoredStatus | null): this {
    for (const [status, sign] of [
      [from, -1],
      [to, 1],
    ] as const) {
      if (status === 'accepted') {
        this.add(followerId, slotOf(followingId), { following: sign });
        this.add(followingId, slotOf(followerId), { followers: sign });
      } else if (status === 'pending') {
        this.add(followingId, slotOf(followerId), { pending: sign });
      }
    }
    return this;
  }

  /** Forgets every change to `userId`'s own rows (they are being deleted). */
  without(userId: UserId): this {
    for (const [key, row] of this.rows) if (row.userId === userId) this.rows.delete(key);
    return this;
  }

  /**
   * One INSERT ... ON CONFLICT DO UPDATE for all rows, sorted by (user_id, slot): every transaction
   * locks counter rows in the same global order, so counter updates cannot deadlock. Runs last in
   * the transaction to hold these (possibly hot) row locks for the shortest time.
   */
  async apply(m: EntityManager): Promise<void> {
    const rows = [...this.rows.values()]
      .filter((r) => r.followers !== 0 || r.following !== 0 || r.pending !== 0)
      .sort((x, y) => compareUserIds(x.userId, y.userId) || x.slot - y.slot);
    if (rows.length === 0) return;
    await query(
      m,
      `INSERT INTO user_graph_stats AS s (user_id, slot, follower_count, following_count, pending_requests_count)
       SELECT d.user_id, d.slot, d.followers, d.following, d.pending
         FROM unnest($1::bigint[], $2::smallint[], $3::bigint[], $4::bigint[], $5::bigint[])
              WITH ORDINALITY AS d(user_id, slot, followers, following, pending, n)
        ORDER BY d.n
       ON CONFLICT (user_id, slot) DO UPDATE SET
         follower_count = s.follower_count + EXCLUDED.follower_count,
         following_count = s.following_count + EXCLUDED.following_count,
         pending_requests_count = s.pending_requests_count + EXCLUDED.pending_requests_count,
         updated_at = now()`,
      [
        rows.map((r) => r.userId),
        rows.map((r) => r.slot),
        rows.map((r) => r.followers),
        rows.map((r) => r.following),
        rows.map((r) => r.pending),
      ],
    );
  }

  private add(userId: UserId, slot: number, change: Partial<{ followers: number; following: number; pending: number }>): void {
    const key = `${userId}:${slot}`;
    const row = this.rows.get(key) ?? { userId, slot, followers: 0, following: 0, pending: 0 };
    row.followers += change.followers ?? 0;
    row.following += change.following ?? 0;
    row.pending += change.pending ?? 0;
    this.rows.set(key, row);
  }
}

/** Rows of a raw statement, whatever its command (TypeORM shapes UPDATE/DELETE results differently). */
async function query<T = Record<string, unknown>>(m: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await m.queryRunner!.query(sql, params, true);
  return (result.records ?? []) as T[];
}

/** An unfollow event for a removed edge; rejected requests were never visible, so they get none. */
function removalEvent(edge: EdgeRow, reason: UnfollowReason): GraphEvent | null {
  if (edge.status === 'rejected') return null;
  return { type: 'unfollow', followerId: edge.follower_id, followingId: edge.following_id, reason, previousStatus: edge.status };
}

function byPair(x: EdgeRow, y: EdgeRow): number {
  return compareUserIds(x.follower_id, y.follower_id) || compareUserIds(x.following_id, y.following_id);
}

/**
 * The write port on PostgreSQL with raw SQL: each method is one READ COMMITTED transaction that
 * changes the edge, writes the outbox rows and then the striped counters.
 *
 * Privacy race (follow of a private account vs. the account going public): follow reads is_private
 * without a lock; only when it says private does it re-read the row FOR SHARE, which waits for a
 * concurrent setPrivacy (its UPDATE takes a row lock that conflicts with FOR SHARE) and returns the
 * committed value. Either the follow sees "public" and is accepted, or setPrivacy's next statement
 * sees the committed request and accepts it: no pending request survives on a public account.
 * Public accounts, where the celebrities are, take no shared row lock at all (FOR SHARE by many
 * sessions on one hot row would create MultiXacts).
 */
export class TypeOrmGraphWriteRepository extends GraphWriteRepository {
  /** @param wakeup told after each commit that wrote events (the relay then publishes at once). */
  constructor(
    private readonly dataSource: DataSource,
    private readonly wakeup?: OutboxWakeup,
  ) {
    super();
  }

  async follow(followerId: UserId, followingId: UserId, options: FollowOptions = DEFAULT_FOLLOW_OPTIONS): Promise<FollowOutcome> {
    return this.transaction(async (m) => {
      const [plain] = await query<{ is_private: boolean }>(
        m,
        `SELECT ${PAIR_LOCK} AS locked,
                COALESCE((SELECT is_private FROM user_settings WHERE user_id = $2), false) AS is_private`,
        [followerId, followingId],
      );
      let isPrivate = plain!.is_private;
      if (isPrivate) {
        const [locked] = await query<{ is_private: boolean }>(m, `SELECT is_private FROM user_settings WHERE user_id = $1 FOR SHARE`, [followingId]);
        isPrivate = locked?.is_private ?? false;
      }
      const [state] = await query<{ blocked: boolean; status: StoredStatus | null; created_at_us: string | null; mutual: boolean }>(
        m,
        `SELECT EXISTS (SELECT 1 FROM blocks
                         WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)) AS blocked,
                f.status, ${epochMicrosSql('f.created_at')} AS created_at_us,
                EXISTS (SELECT 1 FROM follows WHERE follower_id = $2 AND following_id = $1 AND status = 'accepted') AS mutual
           FROM (SELECT 1) AS one
           LEFT JOIN follows f ON f.follower_id = $1 AND f.following_id = $2`,
        [followerId, followingId],
      );
      if (state!.blocked) throw new BlockedError();
      if (state!.status === 'accepted' || state!.status === 'pending') {
        return { status: state!.status, changed: false, createdAtUs: state!.created_at_us! };
      }
      const status: FollowStatus = isPrivate ? 'pending' : 'accepted';
      // A rejected request is asked again: it becomes a new edge with a new created_at and these options.
      const [written] = await query<{ created_at_us: string }>(
        m,
        `INSERT INTO follows (follower_id, following_id, status, notify, show_reposts, languages) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (follower_id, following_id) DO UPDATE
            SET status = EXCLUDED.status, created_at = now(), updated_at = now(),
                notify = EXCLUDED.notify, show_reposts = EXCLUDED.show_reposts, languages = EXCLUDED.languages
          WHERE follows.status = 'rejected'
         RETURNING ${epochMicrosSql('created_at')} AS created_at_us`,
        [followerId, followingId, status, options.notify, options.reposts, options.languages],
      );
      if (!written) {
        // Only reachable if the row changed state after our read (the pair lock makes that a non-case).
        const [current] = await query<{ status: FollowStatus; created_at_us: string }>(
          m,
          `SELECT status, ${epochMicrosSql('created_at')} AS created_at_us FROM follows WHERE follower_id = $1 AND following_id = $2`,
          [followerId, followingId],
        );
        return { status: current!.status, changed: false, createdAtUs: current!.created_at_us };
      }
      await insertOutboxEvents(m, [{ type: 'follow', followerId, followingId, status, isMutual: state!.mutual, options: { ...options } }]);
      await new CounterDeltas().edge(followerId, followingId, state!.status, status).apply(m);
      return { status, changed: true, createdAtUs: written.created_at_us };
    });
  }

  async updateFollowOptions(followerId: UserId, followingId: UserId, patch: FollowOptionsPatch): Promise<FollowOptionsOutcome> {
    return this.transaction(async (m) => {
      // The row lock orders this against an accept, an unfollow or another update of the same edge.
      const [edge] = await query<{ status: FollowStatus; notify: boolean; show_reposts: boolean; languages: string[] | null }>(
        m,
        `SELECT status, notify, show_reposts, languages FROM follows
          WHERE follower_id = $1 AND following_id = $2 AND status IN ('accepted', 'pending') FOR UPDATE`,
        [followerId, followingId],
      );
      if (!edge) return { status: null, updated: false, options: null };
      const current: FollowOptions = { notify: edge.notify, reposts: edge.show_reposts, languages: edge.languages };
      const options = withFollowOptions(current, patch);
      if (sameFollowOptions(options, current)) return { status: edge.status, updated: false, options };
      await query(
        m,
        `UPDATE follows SET notify = $3, show_reposts = $4, languages = $5, updated_at = now() WHERE follower_id = $1 AND following_id = $2`,
        [followerId, followingId, options.notify, options.reposts, options.languages],
      );
      await insertOutboxEvents(m, [{ type: 'follow_updated', followerId, followingId, status: edge.status, options: { ...options } }]);
      return { status: edge.status, updated: true, options };
    });
  }

  async unfollow(followerId: UserId, followingId: UserId): Promise<{ removed: FollowStatus | null }> {
    return this.transaction(async (m) => {
      const [edge] = await query<EdgeRow>(
        m,
        `DELETE FROM follows WHERE follower_id = $1 AND following_id = $2
         RETURNING follower_id::text, following_id::text, status`,
        [followerId, followingId],
      );
      if (!edge) return { removed: null };
      const event = removalEvent(edge, edge.status === 'pending' ? 'cancelled' : 'unfollow');
      if (event) await insertOutboxEvents(m, [event]);
      await new CounterDeltas().edge(followerId, followingId, edge.status, null).apply(m);
      return { removed: edge.status === 'rejected' ? null : edge.status };
    });
  }

  async respondToRequest(ownerId: UserId, followerId: UserId, action: 'accept' | 'reject'): Promise<RequestResponseOutcome> {
    return this.transaction(async (m) => {
      const target = action === 'accept' ? 'accepted' : 'rejected';
      // Acceptance makes the edge: created_at moves to now, so lists place it where it became real.
      const [changed] = await query<{ created_at_us: string }>(
        m,
        `UPDATE follows
            SET status = $3::varchar, updated_at = now(), created_at = CASE WHEN $3::varchar = 'accepted' THEN now() ELSE created_at END
          WHERE follower_id = $1 AND following_id = $2 AND status = 'pending'
         RETURNING ${epochMicrosSql('created_at')} AS created_at_us`,
        [followerId, ownerId, target],
      );
      if (changed) {
        await insertOutboxEvents(m, [
          { type: action === 'accept' ? 'follow_request_accepted' : 'follow_request_rejected', followerId, followingId: ownerId },
        ]);
        await new CounterDeltas().edge(followerId, ownerId, 'pending', target).apply(m);
        return { status: target, changed: true, createdAtUs: target === 'accepted' ? changed.created_at_us : null };
      }
      const [current] = await query<{ status: StoredStatus; created_at_us: string }>(
        m,
        `SELECT status, ${epochMicrosSql('created_at')} AS created_at_us FROM follows WHERE follower_id = $1 AND following_id = $2`,
        [followerId, ownerId],
      );
      if (current?.status !== target) throw new RequestNotFoundError();
      return { status: target, changed: false, createdAtUs: target === 'accepted' ? current.created_at_us : null };
    });
  }

  async removeFollower(ownerId: UserId, followerId: UserId): Promise<{ removed: boolean }> {
    return this.transaction(async (m) => {
      const [edge] = await query<EdgeRow>(
        m,
        `DELETE FROM follows WHERE follower_id = $1 AND following_id = $2 AND status = 'accepted'
         RETURNING follower_id::text, following_id::text, status`,
        [followerId, ownerId],
      );
      if (!edge) return { removed: false };
      await insertOutboxEvents(m, [removalEvent(edge, 'removed')!]);
      await new CounterDeltas().edge(followerId, ownerId, 'accepted', null).apply(m);
      return { removed: true };
    });
  }

  async block(blockerId: UserId, blockedId: UserId): Promise<{ changed: boolean; affectedUserIds: UserId[] }> {
    return this.transaction(async (m) => {
      await query(m, `SELECT ${PAIR_LOCK} AS locked`, [blockerId, blockedId]);
      const [inserted] = await query(
        m,
        `INSERT INTO blocks (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS inserted`,
        [blockerId, blockedId],
      );
      if (!inserted) return { changed: false, affectedUserIds: [] };
      await insertOutboxRows(m, [toBlockOutboxRow({ type: 'block', blockerId, blockedId }, new Date())]);
      const removed = await this.deleteEdges(
        m,
        `(follower_id = $1 AND following_id = $2) OR (follower_id = $2 AND following_id = $1)`,
        [blockerId, blockedId],
      );
      await this.recordRemovals(m, removed, 'blocked');
      return { changed: true, affectedUserIds: [blockerId, blockedId] };
    });
  }

  async unblock(blockerId: UserId, blockedId: UserId): Promise<{ changed: boolean }> {
    return this.transaction(async (m) => {
      const [deleted] = await query(m, `DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2 RETURNING 1 AS deleted`, [blockerId, blockedId]);
      if (deleted) await insertOutboxRows(m, [toBlockOutboxRow({ type: 'unblock', blockerId, blockedId }, new Date())]);
      return { changed: Boolean(deleted) };
    });
  }

  async setPrivacy(userId: UserId, isPrivate: boolean): Promise<PrivacyOutcome> {
    return this.transaction(async (m) => {
      if (isPrivate) {
        const [changed] = await query(
          m,
          `INSERT INTO user_settings (user_id, is_private) VALUES ($1, true)
           ON CONFLICT (user_id) DO UPDATE SET is_private = true, updated_at = now() WHERE user_settings.is_private = false
           RETURNING 1 AS changed`,
          [userId],
        );
        return { isPrivate, changed: Boolean(changed), acceptedFollowerIds: [] };
      }
      // The UPDATE's row lock is what a follow's FOR SHARE re-read waits for (see the class comment).
      const [changed] = await query(
        m,
        `UPDATE user_settings SET is_private = false, updated_at = now() WHERE user_id = $1 AND is_private RETURNING 1 AS changed`,
        [userId],
      );
      if (!changed) return { isPrivate, changed: false, acceptedFollowerIds: [] };
      // New statements, hence new snapshots: they see every request committed before the UPDATE
      // above got its lock. Rows are locked in follower order first, as eraseUser and block do.
      await query(m, `SELECT 1 FROM follows WHERE following_id = $1 AND status = 'pending' ORDER BY follower_id FOR UPDATE`, [userId]);
      const accepted = await query<{ follower_id: UserId }>(
        m,
        `UPDATE follows SET status = 'accepted', created_at = now(), updated_at = now()
          WHERE following_id = $1 AND status = 'pending'
         RETURNING follower_id::text AS follower_id`,
        [userId],
      );
      const followerIds = accepted.map((r) => r.follower_id).sort(compareUserIds);
      await this.insertEvents(
        m,
        followerIds.map((followerId) => ({ type: 'follow_request_accepted', followerId, followingId: userId })),
      );
      const deltas = new CounterDeltas();
      for (const followerId of followerIds) deltas.edge(followerId, userId, 'pending', 'accepted');
      await deltas.apply(m);
      return { isPrivate, changed: true, acceptedFollowerIds: followerIds };
    });
  }

  async eraseUser(userId: UserId): Promise<EraseOutcome> {
    return this.transaction(async (m) => {
      const removed = await this.deleteEdges(m, `follower_id = $1 OR following_id = $1`, [userId]);
      const blocks = await query<{ blocker_id: UserId; blocked_id: UserId }>(
        m,
        `DELETE FROM blocks WHERE blocker_id = $1 OR blocked_id = $1 RETURNING blocker_id::text, blocked_id::text`,
        [userId],
      );
      // The blocks go with the account: consumers of graph.block see each one undone.
      const occurredAt = new Date();
      await insertOutboxRows(
        m,
        blocks
          .sort((x, y) => compareUserIds(x.blocker_id, y.blocker_id) || compareUserIds(x.blocked_id, y.blocked_id))
          .map((b) => toBlockOutboxRow({ type: 'unblock', blockerId: b.blocker_id, blockedId: b.blocked_id }, occurredAt)),
      );
      const settings = await query(m, `DELETE FROM user_settings WHERE user_id = $1 RETURNING 1 AS deleted`, [userId]);
      await this.recordRemovals(m, removed, 'erased', userId);
      await query(m, `DELETE FROM user_graph_stats WHERE user_id = $1`, [userId]);

      const affected = new Set<UserId>();
      for (const e of removed) affected.add(e.follower_id).add(e.following_id);
      for (const b of blocks) affected.add(b.blocker_id).add(b.blocked_id);
      if (settings.length > 0) affected.add(userId);
      return { affectedUserIds: [...affected].sort(compareUserIds), removedEdges: removed.length };
    });
  }

  /**
   * Deletes the edges matching `where`. They are locked in (follower, following) order first, so two
   * set-based operations sharing edges (two erasures, an erasure and a block) do not deadlock.
   */
  private async deleteEdges(m: EntityManager, where: string, params: unknown[]): Promise<EdgeRow[]> {
    await query(m, `SELECT 1 FROM follows WHERE ${where} ORDER BY follower_id, following_id FOR UPDATE`, params);
    const rows = await query<EdgeRow>(
      m,
      `DELETE FROM follows WHERE ${where} RETURNING follower_id::text AS follower_id, following_id::text AS following_id, status`,
      params,
    );
    return rows.sort(byPair);
  }

  /** Events and counter changes for removed edges; `erasedUserId`'s own counter rows are deleted instead. */
  private async recordRemovals(m: EntityManager, removed: EdgeRow[], reason: UnfollowReason, erasedUserId?: UserId): Promise<void> {
    const events = removed.map((e) => removalEvent(e, reason)).filter((e): e is GraphEvent => e !== null);
    await this.insertEvents(m, events);
    const deltas = new CounterDeltas();
    for (const e of removed) deltas.edge(e.follower_id, e.following_id, e.status, null);
    if (erasedUserId) deltas.without(erasedUserId);
    await deltas.apply(m);
  }

  private async insertEvents(m: EntityManager, events: GraphEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += OUTBOX_CHUNK) await insertOutboxEvents(m, events.slice(i, i + OUTBOX_CHUNK));
  }

  private async transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        let manager: EntityManager | undefined;
        const result = await this.dataSource.transaction((m) => {
          manager = m;
          return work(m);
        });
        if (manager && wroteOutboxEvents(manager)) this.wakeup?.notify();
        return result;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        // Out of retries or not worth one: driver failures leave as the domain's UnavailableError.
        if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw translateDriverError(error);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }
}
