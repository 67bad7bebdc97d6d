import {
  AccountPoliciesPatch,
  EraseOutcome,
  FollowOptions,
  FollowingCap,
  FollowOptionsOutcome,
  FollowOptionsPatch,
  FollowOutcome,
  GraphError,
  GraphWriteRepository,
  ExpiredRequestsOutcome,
  PoliciesOutcome,
  PrivacyOutcome,
  SettingsChange,
  SettingsOutcome,
  RequestResponseOutcome,
  UserId,
  FollowStatus,
  CounterDelta,
  EdgeState,
  UnfollowReason,
  edgeTransition,
} from '@graph/domain';
import { CacheOp, GraphCacheStore, WriteTicket, cacheKey, listMember } from './graph-cache.store';

const rel = (a: UserId, b: UserId): string => cacheKey('relationship', a, b);
const stats = (u: UserId): string => cacheKey('stats', u);
const followers = (u: UserId): string => cacheKey('followers', u);
const following = (u: UserId): string => cacheKey('following', u);
const settings = (u: UserId): string => cacheKey('settings', u);
const suggestions = (u: UserId): string => cacheKey('suggestions', u);
const blockSet = (u: UserId): string => cacheKey('blocks', u);
const drop = (...keys: string[]): CacheOp[] => keys.map((key) => ({ key, op: 'drop' }));

/** Everything cached about one user (relationships are per pair and dropped by the callers). */
export const userKeys = (u: UserId): string[] => [followers(u), following(u), stats(u), settings(u), suggestions(u), blockSet(u)];

/**
 * Keeps the cache right around the Postgres write repository. Before a write that may update
 * entries in place it announces itself on them; after the commit, and before returning, it updates
 * both users' lists and counters in place (so celebrity entries stay warm), and drops the
 * relationship both ways and the suggestions that changed. A write that fails in an unknown way
 * drops everything it announced. A cache that cannot be reached costs nothing here: its breaker
 * opens and the epoch moves before it is used again, so no entry this write should have fixed is
 * ever read. Hence read-your-writes: when a write returns, its entries are already fixed.
 */
export class CacheMaintainingGraphWriteRepository extends GraphWriteRepository {
  constructor(
    private readonly inner: GraphWriteRepository,
    private readonly store: GraphCacheStore,
  ) {
    super();
  }

  async follow(followerId: UserId, followingId: UserId, options?: FollowOptions, cap?: FollowingCap, admission?: Promise<void>): Promise<FollowOutcome> {
    // The announcement goes out in the same tick as the admission's rate-limit count (the use case
    // started it): ioredis pipelines both into one round trip. A refused admission ends it below.
    return this.edgeWrite(followerId, followingId, () => this.inner.follow(followerId, followingId, options, cap, admission), (o) => {
      if (!o.changed) return [];
      const common = drop(rel(followerId, followingId), rel(followingId, followerId), suggestions(followerId));
      // From none or rejected: both count alike (a pending request upgraded meanwhile is dropped below).
      const counters = this.statsOps(followerId, followingId, 'none', o.status);
      if (o.status === 'pending') return [...counters, ...common];
      // A pending request upgraded by this follow would also change the pending count: drop then.
      return [...this.addEdge(followerId, followingId, o.createdAtUs), ...counters.map((op) => (op.key === stats(followingId) ? { ...op, dropIfPending: true } : op)), ...common];
    });
  }

  /** Options show only in the follower's relationship towards the followed account. */
  async updateFollowOptions(followerId: UserId, followingId: UserId, patch: FollowOptionsPatch): Promise<FollowOptionsOutcome> {
    return this.edgeWrite(followerId, followingId, () => this.inner.updateFollowOptions(followerId, followingId, patch), (o) =>
      o.updated ? drop(rel(followerId, followingId)) : [],
    );
  }

  async unfollow(followerId: UserId, followingId: UserId): Promise<{ removed: FollowStatus | null }> {
    return this.edgeWrite(followerId, followingId, () => this.inner.unfollow(followerId, followingId), (o) =>
      this.removalOps(followerId, followingId, o.removed, o.removed === 'pending' ? 'cancelled' : 'unfollow'),
    );
  }

  async respondToRequest(ownerId: UserId, followerId: UserId, action: 'accept' | 'reject'): Promise<RequestResponseOutcome> {
    return this.edgeWrite(followerId, ownerId, () => this.inner.respondToRequest(ownerId, followerId, action), (o) => {
      if (!o.changed) return [];
      const common = drop(rel(followerId, ownerId), rel(ownerId, followerId));
      const counters = this.statsOps(followerId, ownerId, 'pending', o.status);
      if (o.status === 'rejected' || o.createdAtUs === null) return [...counters, ...common];
      return [...this.addEdge(followerId, ownerId, o.createdAtUs), ...counters, ...common, ...drop(suggestions(followerId))];
    });
  }

  async removeFollower(ownerId: UserId, followerId: UserId): Promise<{ removed: boolean }> {
    return this.edgeWrite(followerId, ownerId, () => this.inner.removeFollower(ownerId, followerId), (o) =>
      this.removalOps(followerId, ownerId, o.removed ? 'accepted' : null, 'removed'),
    );
  }

  async block(blockerId: UserId, blockedId: UserId): Promise<{ changed: boolean; affectedUserIds: UserId[] }> {
    return dropWrite(this.store, () => this.inner.block(blockerId, blockedId), (o) => {
      if (!o.changed) return [];
      const users = [...new Set([blockerId, blockedId, ...o.affectedUserIds])];
      return drop(...users.flatMap(userKeys), rel(blockerId, blockedId), rel(blockedId, blockerId));
    }, drop(...userKeys(blockerId), ...userKeys(blockedId), rel(blockerId, blockedId), rel(blockedId, blockerId)));
  }

  async unblock(blockerId: UserId, blockedId: UserId): Promise<{ changed: boolean }> {
    const keys = [blockSet(blockerId), rel(blockerId, blockedId), rel(blockedId, blockerId), suggestions(blockerId), suggestions(blockedId)];
    return dropWrite(this.store, () => this.inner.unblock(blockerId, blockedId), (o) => (o.changed ? drop(...keys) : []), drop(...keys));
  }

  async dismissRecommendation(userId: UserId, dismissedId: UserId): Promise<{ changed: boolean }> {
    const keys = [suggestions(userId)];
    return dropWrite(this.store, () => this.inner.dismissRecommendation(userId, dismissedId), (o) => (o.changed ? drop(...keys) : []), drop(...keys));
  }

  async setPrivacy(userId: UserId, isPrivate: boolean): Promise<PrivacyOutcome> {
    return dropWrite(this.store, () => this.inner.setPrivacy(userId, isPrivate), (o) => this.privacyOps(userId, o), 'all');
  }

  async updateAccountPolicies(userId: UserId, patch: AccountPoliciesPatch): Promise<PoliciesOutcome> {
    return dropWrite(this.store, () => this.inner.updateAccountPolicies(userId, patch), (o) => this.policiesOps(userId, o), drop(settings(userId)));
  }

  async updateSettings(userId: UserId, change: SettingsChange): Promise<SettingsOutcome> {
    return dropWrite(this.store, () => this.inner.updateSettings(userId, change), (o) => [
      ...(o.privacy ? this.privacyOps(userId, o.privacy) : []),
      ...(o.policies ? this.policiesOps(userId, o.policies) : []),
    ], change.isPrivate === undefined ? drop(settings(userId)) : 'all');
  }

  async expireRequests(limit: number): Promise<ExpiredRequestsOutcome> {
    return dropWrite(this.store, 
      () => this.inner.expireRequests(limit),
      (o) => drop(...o.expired.flatMap(({ followerId: f, followingId: t }) => [stats(t), suggestions(f), rel(f, t), rel(t, f)])),
      'all',
    );
  }

  async eraseUser(userId: UserId): Promise<EraseOutcome> {
    return dropWrite(this.store, () => this.inner.eraseUser(userId), (o) => {
      const others = o.affectedUserIds.filter((u) => u !== userId);
      return drop(...userKeys(userId), ...others.flatMap((u) => [...userKeys(u), rel(userId, u), rel(u, userId)]));
    }, 'all');
  }

  /** Going public accepted requests: both sides' lists, counters and pairs changed. */
  private privacyOps(userId: UserId, o: PrivacyOutcome): CacheOp[] {
    if (!o.changed && o.acceptedFollowerIds.length === 0) return [];
    const accepted = o.acceptedFollowerIds;
    if (accepted.length === 0) return drop(settings(userId));
    return drop(...userKeys(userId), ...accepted.flatMap((f) => [following(f), stats(f), suggestions(f), rel(f, userId), rel(userId, f)]));
  }

  /** The settings entry is what every cached list read and rendered first page checks first. */
  private policiesOps(userId: UserId, o: PoliciesOutcome): CacheOp[] {
    return o.changed ? drop(settings(userId)) : [];
  }

  // Each list's guard is the pair's relationship key seen from the list's owner: it shares the
  // list's slot (one script checks both), and every write on the pair announces both directions.
  private addEdge(followerId: UserId, followingId: UserId, createdAtUs: string): CacheOp[] {
    return [
      { key: followers(followingId), op: 'zadd', member: listMember(createdAtUs, followerId), guard: rel(followingId, followerId) },
      { key: following(followerId), op: 'zadd', member: listMember(createdAtUs, followingId), guard: rel(followerId, followingId) },
    ];
  }

  private removalOps(followerId: UserId, followingId: UserId, removed: FollowStatus | null, reason: UnfollowReason): CacheOp[] {
    if (removed === null) return [];
    const common = drop(rel(followerId, followingId), rel(followingId, followerId), suggestions(followerId));
    const counters = this.statsOps(followerId, followingId, removed, 'none', reason);
    if (removed === 'pending') return [...counters, ...common];
    return [
      { key: followers(followingId), op: 'zrem', userId: followerId, guard: rel(followingId, followerId) },
      { key: following(followerId), op: 'zrem', userId: followingId, guard: rel(followerId, followingId) },
      ...counters,
      ...common,
    ];
  }

  /** In-place counter updates for the edge's transition, by the domain's rule (edgeTransition). */
  private statsOps(followerId: UserId, followingId: UserId, from: EdgeState, to: EdgeState, reason?: UnfollowReason): CacheOp[] {
    const t = edgeTransition({ followerId, followingId, from, to, reason });
    const op = (userId: UserId, d: CounterDelta): CacheOp[] =>
      d.followers || d.following || d.pending ? [{ key: stats(userId), op: 'stats', delta: [d.followers, d.following, d.pending] }] : [];
    return [...op(followingId, t.following), ...op(followerId, t.follower)];
  }

  /**
   * A write on the edge follower→following: announced on both users' lists and counters and on the
   * pair's relationship keys (the guard of in-place list updates), fixed after the commit.
   */
  private async edgeWrite<T>(followerId: UserId, followingId: UserId, write: () => Promise<T>, ops: (outcome: T) => CacheOp[]): Promise<T> {
    const keys = [
      followers(followingId),
      following(followerId),
      stats(followerId),
      stats(followingId),
      rel(followerId, followingId),
      rel(followingId, followerId),
    ];
    const ticket = await this.store.beginWrite(keys).catch((): WriteTicket => ({ epoch: null, keys: [] }));
    let outcome: T;
    try {
      outcome = await write();
    } catch (error) {
      // A domain refusal wrote nothing: end the announcement.
      if (!mayHaveCommitted(error)) {
        await this.finish(ticket, []);
        throw error;
      }
      // Anything else may still commit on the server after this call gave up (a timed-out query
      // keeps running): drop the entries but leave the announcement open, so no read fills them
      // from Postgres before that late commit; it lapses by itself after PENDING_TTL_MS.
      await this.store.drop([...keys, suggestions(followerId)]).catch(() => undefined);
      throw error;
    }
    await this.finish(ticket, ops(outcome));
    return outcome;
  }

  private async finish(ticket: WriteTicket, ops: CacheOp[]): Promise<void> {
    // Failures are the store's business (it opens its breaker and moves the epoch before reuse).
    await this.store.finishWrite(ticket, ops).catch(() => undefined);
  }
}

/**
 * A write whose effects are dropped, not updated: nothing to announce (a drop after the commit is
 * always safe: it moves the entries' versions, so no fill read before it lands). When it fails in
 * an unknown way (it may have committed) everything it could touch is dropped and left announced
 * (or, for 'all', the epoch moves).
 */
export async function dropWrite<T>(store: GraphCacheStore, write: () => Promise<T>, ops: (outcome: T) => CacheOp[], ifUnknown: CacheOp[] | 'all'): Promise<T> {
  let outcome: T;
  try {
    outcome = await write();
  } catch (error) {
    if (mayHaveCommitted(error)) {
      if (ifUnknown === 'all') await store.invalidateAll().catch(() => undefined);
      else {
        // As in edgeWrite: announced and never ended, so nothing fills these keys before a late commit.
        await store.beginWrite(ifUnknown.map((op) => op.key));
        await store.finishWrite({ epoch: null, keys: [] }, ifUnknown).catch(() => undefined);
      }
    }
    throw error;
  }
  // Failures are the store's business (it opens its breaker and moves the epoch before reuse).
  await store.finishWrite({ epoch: null, keys: [] }, ops(outcome)).catch(() => undefined);
  return outcome;
}

/**
 * Whether a failed write may still have committed: anything but a domain refusal. UNAVAILABLE
 * included: a query the client stopped waiting for can commit on the server afterwards.
 */
function mayHaveCommitted(error: unknown): boolean {
  return !(error instanceof GraphError) || error.code === 'UNAVAILABLE';
}
