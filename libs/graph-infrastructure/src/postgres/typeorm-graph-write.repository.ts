import { DataSource, EntityManager } from 'typeorm';
import {
  AccountPoliciesPatch,
  BlockedError,
  CounterDelta,
  DEFAULT_FOLLOW_OPTIONS,
  DEFAULT_USER_SETTINGS,
  EdgeTransition,
  EraseOutcome,
  FollowOptions,
  FollowLimitReachedError,
  FollowingCap,
  FollowOptionsOutcome,
  FollowOptionsPatch,
  FollowOutcome,
  FollowStatus,
  GraphEvent,
  GraphWriteRepository,
  NO_FOLLOWING_CAP,
  ExpiredRequestsOutcome,
  PoliciesOutcome,
  PrivacyOutcome,
  SettingsChange,
  SettingsOutcome,
  RequestNotFoundError,
  RequestResponseOutcome,
  UnfollowReason,
  UserId,
  compareUserIds,
  edgeTransition,
  sameFollowOptions,
  withAccountPolicies,
  withFollowOptions,
} from '@graph/domain';
import { SETTINGS_COLUMNS, SettingsRow, toUserSettings } from './user-settings-row';
import { STATS_SLOTS } from './graph-stats-slots';
import { OutboxWakeup, insertOutboxEvents, insertOutboxRows, toBlockOutboxRow, toOutboxRow, wroteOutboxEvents } from './outbox';
import { epochMicrosSql } from './sql-runner';
import { queryPrepared } from './prepared-statement';
import { translateDriverError } from './dependency-errors';

/**
 * Transaction-scoped lock on the unordered pair {$1, $2}. Follow (inside graph_follow, with the same
 * key expression) and block take it first, in a statement of its own, so a follow cannot slip in
 * beside a concurrent block (under READ COMMITTED neither would see the other's uncommitted row
 * otherwise). Per pair, so it never makes followers of one account queue.
 */
export const PAIR_LOCK_KEY = `hashtextextended(least($1::bigint, $2::bigint)::text || ':' || greatest($1::bigint, $2::bigint)::text, 0)`;
const PAIR_LOCK = `pg_advisory_xact_lock(${PAIR_LOCK_KEY})`;
/** Erasures take this lock first: two erasures sharing edges would otherwise lock them in opposite orders. */
const ERASE_LOCK = `pg_advisory_xact_lock(hashtextextended('graph:erase', 0))`;

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
export class CounterDeltas {
  private readonly rows = new Map<string, { userId: UserId; slot: number; followers: number; following: number; pending: number }>();

  /** The edge follower→following made `transition` (the domain's edgeTransition says by how much). */
  edge(followerId: UserId, followingId: UserId, transition: EdgeTransition): this {
    this.add(followerId, slotOf(followingId), transition.follower);
    this.add(followingId, slotOf(followerId), transition.following);
    return this;
  }

  /** Forgets every change to `userId`'s own rows (they are being deleted). */
  without(userId: UserId): this {
    for (const [key, row] of this.rows) if (row.userId === userId) this.rows.delete(key);
    return this;
  }

  /**
   * One upsert of all rows (graph_add_counts, which writes them in (user_id, slot) order: every
   * transaction locks counter rows in the same global order, so counter updates cannot deadlock).
   * Runs last in the transaction to hold these (possibly hot) row locks for the shortest time.
   */
  async apply(m: EntityManager): Promise<void> {
    const rows = this.changes();
    if (rows.length === 0) return;
    await query(m, `SELECT graph_add_counts($1::bigint[], $2::smallint[], $3::bigint[], $4::bigint[], $5::bigint[], now())`, [
      rows.map((r) => r.userId),
      rows.map((r) => r.slot),
      rows.map((r) => r.followers),
      rows.map((r) => r.following),
      rows.map((r) => r.pending),
    ]);
  }

  /** The rows that change, in (user_id, slot) order. */
  changes(): { userId: UserId; slot: number; followers: number; following: number; pending: number }[] {
    return [...this.rows.values()]
      .filter((r) => r.followers !== 0 || r.following !== 0 || r.pending !== 0)
      .sort((x, y) => compareUserIds(x.userId, y.userId) || x.slot - y.slot);
  }

  private add(userId: UserId, slot: number, change: CounterDelta): void {
    const key = `${userId}:${slot}`;
    const row = this.rows.get(key) ?? { userId, slot, followers: 0, following: 0, pending: 0 };
    row.followers += change.followers;
    row.following += change.following;
    row.pending += change.pending;
    this.rows.set(key, row);
  }
}

/** Rows of a raw statement, whatever its command (TypeORM shapes UPDATE/DELETE results differently). */
async function query<T = Record<string, unknown>>(m: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await m.queryRunner!.query(sql, params, true);
  return (result.records ?? []) as T[];
}

/** The transition of a removed edge (a rejected request, never visible, gets no event). */
function removal(edge: EdgeRow, reason: UnfollowReason): EdgeTransition {
  return edgeTransition({ followerId: edge.follower_id, followingId: edge.following_id, from: edge.status, to: 'none', reason });
}

function byPair(x: EdgeRow, y: EdgeRow): number {
  return compareUserIds(x.follower_id, y.follower_id) || compareUserIds(x.following_id, y.following_id);
}

/**
 * The write port on PostgreSQL with raw SQL: each method is one READ COMMITTED transaction that
 * changes the edge, writes the outbox rows and then the striped counters. The frequent single-edge
 * writes (follow, unfollow, answering a request, removing a follower) are one call of a server-side
 * function each (migration GraphWriteFunctions): one round trip, the function's statements run in
 * the call's implicit transaction. The rare set-based ones (block, privacy, erasure) stay
 * transactions of several statements.
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

  async follow(followerId: UserId, followingId: UserId, options: FollowOptions = DEFAULT_FOLLOW_OPTIONS, cap: FollowingCap = NO_FOLLOWING_CAP, admission?: Promise<void>): Promise<FollowOutcome> {
    await admission;
    // The function fills in the event's status and is_mutual, which only it knows; the options go on the edge and in the event.
    const event = toOutboxRow({ type: 'follow', followerId, followingId, status: 'accepted', isMutual: false, options: { ...options } }, new Date());
    const [row] = await this.call<{ outcome: 'blocked' | 'limit' | 'unchanged' | 'changed'; status: FollowStatus; created_at_us: string }>(
      `SELECT outcome, status, ${epochMicrosSql('created_at')} AS created_at_us FROM graph_follow($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [followerId, followingId, options.notify, options.reposts, options.languages, cap.base, cap.permille, event.eventId, event.topic, JSON.stringify(event.payload)],
    );
    if (row!.outcome === 'blocked') throw new BlockedError();
    if (row!.outcome === 'limit') throw new FollowLimitReachedError();
    const changed = row!.outcome === 'changed';
    if (changed) this.wakeup?.notify();
    return { status: row!.status, changed, createdAtUs: row!.created_at_us };
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
    return { removed: await this.removeEdge(followerId, followingId, false, 'unfollow') };
  }

  async respondToRequest(ownerId: UserId, followerId: UserId, action: 'accept' | 'reject'): Promise<RequestResponseOutcome> {
    const target = action === 'accept' ? 'accepted' : 'rejected';
    const event = toOutboxRow({ type: action === 'accept' ? 'follow_request_accepted' : 'follow_request_rejected', followerId, followingId: ownerId }, new Date());
    const [row] = await this.call<{ outcome: 'not_found' | 'unchanged' | 'changed'; created_at_us: string | null }>(
      `SELECT outcome, ${epochMicrosSql('created_at')} AS created_at_us FROM graph_respond($1, $2, $3, $4, $5, $6)`,
      [ownerId, followerId, target, event.eventId, event.topic, JSON.stringify(event.payload)],
    );
    if (row!.outcome === 'not_found') throw new RequestNotFoundError();
    const changed = row!.outcome === 'changed';
    if (changed) this.wakeup?.notify();
    return { status: target, changed, createdAtUs: target === 'accepted' ? row!.created_at_us : null };
  }

  async removeFollower(ownerId: UserId, followerId: UserId): Promise<{ removed: boolean }> {
    return { removed: (await this.removeEdge(followerId, ownerId, true, 'removed')) !== null };
  }

  /**
   * One call of graph_remove_edge: the edge (only if accepted when `onlyAccepted`), its unfollow
   * event (reason `reason`, or `cancelled` for a pending request) and its counters.
   */
  private async removeEdge(followerId: UserId, followingId: UserId, onlyAccepted: boolean, reason: UnfollowReason): Promise<FollowStatus | null> {
    // The function fills in the reason and the previous status, which only it knows.
    const event = toOutboxRow({ type: 'unfollow', followerId, followingId, reason, previousStatus: 'accepted' }, new Date());
    const [row] = await this.call<{ removed: FollowStatus | null }>(`SELECT graph_remove_edge($1, $2, $3, $4, $5, $6, $7, $8) AS removed`, [
      followerId,
      followingId,
      onlyAccepted,
      reason,
      'cancelled',
      event.eventId,
      event.topic,
      JSON.stringify(event.payload),
    ]);
    if (row!.removed) this.wakeup?.notify();
    return row!.removed;
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
      // Both directions, each a single-row delete on its follower's rows, lower follower first.
      const removed: EdgeRow[] = [];
      for (const [f, t] of [[blockerId, blockedId], [blockedId, blockerId]].sort((x, y) => compareUserIds(x[0]!, y[0]!))) {
        removed.push(...(await this.deleteEdges(m, `follower_id = $1 AND following_id = $2`, [f, t])));
      }
      await this.recordRemovals(m, removed.sort(byPair), 'blocked');
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

  async dismissRecommendation(userId: UserId, dismissedId: UserId): Promise<{ changed: boolean }> {
    return this.transaction(async (m) => {
      const [inserted] = await query(
        m,
        `INSERT INTO recommendation_dismissals (user_id, dismissed_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS inserted`,
        [userId, dismissedId],
      );
      return { changed: Boolean(inserted) };
    });
  }

  async setPrivacy(userId: UserId, isPrivate: boolean): Promise<PrivacyOutcome> {
    return this.transaction((m) => this.privacyIn(m, userId, isPrivate));
  }

  async updateAccountPolicies(userId: UserId, patch: AccountPoliciesPatch): Promise<PoliciesOutcome> {
    return this.transaction((m) => this.policiesIn(m, userId, patch));
  }

  async updateSettings(userId: UserId, change: SettingsChange): Promise<SettingsOutcome> {
    // Both take the settings row's lock first, so the transaction orders with every other settings change.
    return this.transaction(async (m) => ({
      privacy: change.isPrivate === undefined ? null : await this.privacyIn(m, userId, change.isPrivate),
      policies: Object.keys(change.policies).length === 0 ? null : await this.policiesIn(m, userId, change.policies),
    }));
  }

  private async privacyIn(m: EntityManager, userId: UserId, isPrivate: boolean): Promise<PrivacyOutcome> {
    if (isPrivate) {
      const [changed] = await query(
        m,
        `INSERT INTO user_settings (user_id, is_private, updated_at) VALUES ($1, true, now())
         ON CONFLICT (user_id) DO UPDATE SET is_private = EXCLUDED.is_private, updated_at = EXCLUDED.updated_at WHERE user_settings.is_private = false
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
    // A new statement, hence a new snapshot: it sees every request committed before the UPDATE
    // above got its lock. (No FOR UPDATE of the requests first: that would lock rows of every
    // requester's shard; a deadlock with a concurrent erasure or block is retried instead.)
    const accepted = await query<{ follower_id: UserId }>(
      m,
      `UPDATE follows SET status = 'accepted', created_at = now(), updated_at = now()
        WHERE following_id = $1 AND status = 'pending'
       RETURNING follower_id::text AS follower_id`,
      [userId],
    );
    const followerIds = accepted.map((r) => r.follower_id).sort(compareUserIds);
    const transitions = followerIds.map((followerId) => edgeTransition({ followerId, followingId: userId, from: 'pending', to: 'accepted' }));
    await this.insertEvents(m, transitions.map((t) => t.event!));
    const deltas = new CounterDeltas();
    transitions.forEach((t, i) => deltas.edge(followerIds[i]!, userId, t));
    await deltas.apply(m);
    return { isPrivate, changed: true, acceptedFollowerIds: followerIds };
  }

  private async policiesIn(m: EntityManager, userId: UserId, patch: AccountPoliciesPatch): Promise<PoliciesOutcome> {
    // The row lock orders concurrent changes of one account's policies (each keeps the other's fields).
    const [row] = await query<SettingsRow>(m, `SELECT ${SETTINGS_COLUMNS} FROM user_settings WHERE user_id = $1 FOR UPDATE`, [userId]);
    const before = row ? toUserSettings(row) : { ...DEFAULT_USER_SETTINGS };
    const { isPrivate: _privacy, ...policies } = withAccountPolicies(before, patch);
    const { isPrivate: _unchanged, ...was } = before;
    if (JSON.stringify(policies) === JSON.stringify(was)) return { policies, changed: false };
    await query(
      m,
      `INSERT INTO user_settings (user_id, is_private, followers_visibility, following_visibility, hide_counts, auto_accept_followed, request_ttl_days, updated_at)
       VALUES ($1, false, $2, $3, $4, $5, $6, now())
       ON CONFLICT (user_id) DO UPDATE SET
         followers_visibility = EXCLUDED.followers_visibility, following_visibility = EXCLUDED.following_visibility,
         hide_counts = EXCLUDED.hide_counts, auto_accept_followed = EXCLUDED.auto_accept_followed,
         request_ttl_days = EXCLUDED.request_ttl_days, updated_at = EXCLUDED.updated_at`,
      [userId, policies.followersVisibility, policies.followingVisibility, policies.hideCounts, policies.autoAcceptFollowed, policies.requestTtlDays],
    );
    return { policies, changed: true };
  }

  async expireRequests(limit: number): Promise<ExpiredRequestsOutcome> {
    return this.transaction(async (m) => {
      // No locking read: the DELETE rechecks status and age on the row it locks, so a request
      // accepted, cancelled or asked anew meanwhile is left alone, and two sweepers delete each once.
      const removed = await this.deleteEdges(
        m,
        `status = 'pending' AND (follower_id, following_id) IN (
           SELECT f.follower_id, f.following_id FROM user_settings s
             JOIN follows f ON f.following_id = s.user_id AND f.status = 'pending' AND f.created_at < now() - make_interval(days => s.request_ttl_days)
            WHERE s.request_ttl_days IS NOT NULL
            LIMIT $1)
         AND created_at < now() - make_interval(days => (SELECT s.request_ttl_days FROM user_settings s WHERE s.user_id = following_id))`,
        [limit],
      );
      await this.recordRemovals(m, removed, 'expired');
      return { expired: removed.map((e) => ({ followerId: e.follower_id, followingId: e.following_id })) };
    });
  }

  async eraseUser(userId: UserId): Promise<EraseOutcome> {
    return this.transaction(async (m) => {
      await query(m, `SELECT ${ERASE_LOCK} AS locked`);
      // Out-edges (one shard) and in-edges (any shard) as two statements, neither a locking read.
      const removed = [
        ...(await this.deleteEdges(m, `follower_id = $1`, [userId])),
        ...(await this.deleteEdges(m, `following_id = $1`, [userId])),
      ].sort(byPair);
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
      await query(m, `DELETE FROM recommendation_dismissals WHERE user_id = $1 OR dismissed_id = $1`, [userId]);
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

  /** Deletes the edges matching `where` (no locking read first: see eraseUser and block for the orders). */
  private async deleteEdges(m: EntityManager, where: string, params: unknown[]): Promise<EdgeRow[]> {
    const rows = await query<EdgeRow>(
      m,
      `DELETE FROM follows WHERE ${where} RETURNING follower_id::text AS follower_id, following_id::text AS following_id, status`,
      params,
    );
    return rows.sort(byPair);
  }

  /** Events and counter changes for removed edges; `erasedUserId`'s own counter rows are deleted instead. */
  private async recordRemovals(m: EntityManager, removed: EdgeRow[], reason: UnfollowReason, erasedUserId?: UserId): Promise<void> {
    const transitions = removed.map((e) => removal(e, reason));
    await this.insertEvents(m, transitions.flatMap((t) => (t.event ? [t.event] : [])));
    const deltas = new CounterDeltas();
    removed.forEach((e, i) => deltas.edge(e.follower_id, e.following_id, transitions[i]!));
    if (erasedUserId) deltas.without(erasedUserId);
    await deltas.apply(m);
  }

  private async insertEvents(m: EntityManager, events: GraphEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += OUTBOX_CHUNK) await insertOutboxEvents(m, events.slice(i, i + OUTBOX_CHUNK));
  }

  /**
   * One statement in its own implicit transaction (a graph_* function call), retried like a
   * transaction; prepared once per connection (the text is a constant, the plan a function scan).
   */
  private async call<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.retrying(() => queryPrepared<T>(this.dataSource, sql, params));
  }

  private async transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.retrying(async () => {
      let manager: EntityManager | undefined;
      const result = await this.dataSource.transaction((m) => {
        manager = m;
        return work(m);
      });
      if (manager && wroteOutboxEvents(manager)) this.wakeup?.notify();
      return result;
    });
  }

  private async retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        // Out of retries or not worth one: driver failures leave as the domain's UnavailableError.
        if (attempt >= MAX_ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw translateDriverError(error);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }
}
