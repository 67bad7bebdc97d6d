import { BlockedError, FollowLimitReachedError, RequestNotFoundError } from '../graph.errors';
import { FollowingCap, NO_FOLLOWING_CAP, followingLimit } from '../model/following-cap';
import { AccountPoliciesPatch, withAccountPolicies } from '../model/account-settings';
import { EdgeTransitionInput, edgeTransition } from '../model/edge-transition';
import { DEFAULT_FOLLOW_OPTIONS, FollowOptions, FollowOptionsPatch, sameFollowOptions, withFollowOptions } from '../model/follow-options';
import { UnfollowReason } from '../model/graph-event';
import { FollowStatus } from '../model/relationship';
import { UserId, compareUserIds } from '../model/user-id';
import {
  EraseOutcome,
  FollowOptionsOutcome,
  FollowOutcome,
  GraphWriteRepository,
  ExpiredRequestsOutcome,
  PoliciesOutcome,
  PrivacyOutcome,
  RequestResponseOutcome,
  SettingsChange,
  SettingsOutcome,
} from '../ports/graph-write.repository';
import { InMemoryGraphStore, StoredEdge } from './in-memory-graph.store';

/**
 * The write port over an InMemoryGraphStore, for unit tests. Same semantics as the Postgres adapter
 * (the contract suite runs against both); events go to `store.events` in the order the outbox
 * would hold them. Everything is synchronous, so each method is trivially atomic.
 */
export class InMemoryGraphWriteRepository extends GraphWriteRepository {
  constructor(readonly store: InMemoryGraphStore = new InMemoryGraphStore()) {
    super();
  }

  async follow(followerId: UserId, followingId: UserId, options: FollowOptions = DEFAULT_FOLLOW_OPTIONS, cap: FollowingCap = NO_FOLLOWING_CAP, admission?: Promise<void>): Promise<FollowOutcome> {
    await admission;
    if (this.store.isBlockedEitherWay(followerId, followingId)) throw new BlockedError();
    const existing = this.store.edge(followerId, followingId);
    if (existing && existing.status !== 'rejected') {
      return { status: existing.status, changed: false, createdAtUs: existing.createdAtUs.toString() };
    }
    const edges = [...this.store.edges.values()];
    const used = edges.filter((e) => e.followerId === followerId && e.status !== 'rejected').length;
    const followers = edges.filter((e) => e.followingId === followerId && e.status === 'accepted').length;
    if (used >= followingLimit(cap, followers)) throw new FollowLimitReachedError();
    const target = this.store.settings(followingId);
    const autoAccepted = target.autoAcceptFollowed && this.follows(followingId, followerId);
    const status: FollowStatus = target.isPrivate && !autoAccepted ? 'pending' : 'accepted';
    const edge: StoredEdge = { followerId, followingId, status, createdAtUs: this.store.tick(), options: { ...options } };
    this.store.edges.set(InMemoryGraphStore.pairKey(followerId, followingId), edge);
    this.emit({ followerId, followingId, from: existing?.status ?? 'none', to: status, isMutual: this.follows(followingId, followerId), options });
    return { status, changed: true, createdAtUs: edge.createdAtUs.toString() };
  }

  async updateFollowOptions(followerId: UserId, followingId: UserId, patch: FollowOptionsPatch): Promise<FollowOptionsOutcome> {
    const edge = this.store.edge(followerId, followingId);
    if (!edge || edge.status === 'rejected') return { status: null, updated: false, options: null };
    const options = withFollowOptions(edge.options, patch);
    if (sameFollowOptions(options, edge.options)) return { status: edge.status, updated: false, options };
    edge.options = options;
    this.store.events.push({ type: 'follow_updated', followerId, followingId, status: edge.status, options: { ...options } });
    return { status: edge.status, updated: true, options };
  }

  async unfollow(followerId: UserId, followingId: UserId): Promise<{ removed: FollowStatus | null }> {
    const existing = this.store.edge(followerId, followingId);
    if (!existing) return { removed: null };
    this.removeEdge(existing, existing.status === 'pending' ? 'cancelled' : 'unfollow');
    return { removed: existing.status === 'rejected' ? null : existing.status };
  }

  async respondToRequest(ownerId: UserId, followerId: UserId, action: 'accept' | 'reject'): Promise<RequestResponseOutcome> {
    const edge = this.store.edge(followerId, ownerId);
    if (action === 'accept') {
      if (edge?.status === 'accepted') return { status: 'accepted', changed: false, createdAtUs: edge.createdAtUs.toString() };
      if (edge?.status !== 'pending') throw new RequestNotFoundError();
      this.accept(edge);
      return { status: 'accepted', changed: true, createdAtUs: edge.createdAtUs.toString() };
    }
    if (edge?.status === 'rejected') return { status: 'rejected', changed: false, createdAtUs: null };
    if (edge?.status !== 'pending') throw new RequestNotFoundError();
    edge.status = 'rejected';
    this.emit({ followerId, followingId: ownerId, from: 'pending', to: 'rejected' });
    return { status: 'rejected', changed: true, createdAtUs: null };
  }

  async removeFollower(ownerId: UserId, followerId: UserId): Promise<{ removed: boolean }> {
    const edge = this.store.edge(followerId, ownerId);
    if (edge?.status !== 'accepted') return { removed: false };
    this.removeEdge(edge, 'removed');
    return { removed: true };
  }

  async block(blockerId: UserId, blockedId: UserId): Promise<{ changed: boolean; affectedUserIds: UserId[] }> {
    const key = InMemoryGraphStore.pairKey(blockerId, blockedId);
    if (this.store.blocks.has(key)) return { changed: false, affectedUserIds: [] };
    this.store.blocks.set(key, { blockerId, blockedId, createdAtUs: this.store.tick() });
    this.store.blockEvents.push({ type: 'block', blockerId, blockedId });
    for (const edge of [this.store.edge(blockerId, blockedId), this.store.edge(blockedId, blockerId)]) {
      if (edge) this.removeEdge(edge, 'blocked');
    }
    return { changed: true, affectedUserIds: [blockerId, blockedId] };
  }

  async unblock(blockerId: UserId, blockedId: UserId): Promise<{ changed: boolean }> {
    const changed = this.store.blocks.delete(InMemoryGraphStore.pairKey(blockerId, blockedId));
    if (changed) this.store.blockEvents.push({ type: 'unblock', blockerId, blockedId });
    return { changed };
  }

  async dismissRecommendation(userId: UserId, dismissedId: UserId): Promise<{ changed: boolean }> {
    const key = InMemoryGraphStore.pairKey(userId, dismissedId);
    if (this.store.dismissals.has(key)) return { changed: false };
    this.store.dismissals.add(key);
    return { changed: true };
  }

  async setPrivacy(userId: UserId, isPrivate: boolean): Promise<PrivacyOutcome> {
    if (this.store.privateUsers.has(userId) === isPrivate) return { isPrivate, changed: false, acceptedFollowerIds: [] };
    if (isPrivate) {
      this.store.privateUsers.add(userId);
      return { isPrivate, changed: true, acceptedFollowerIds: [] };
    }
    this.store.privateUsers.delete(userId);
    // Same order as the Postgres adapter: by follower id.
    const pending = [...this.store.edges.values()]
      .filter((e) => e.followingId === userId && e.status === 'pending')
      .sort((a, b) => compareUserIds(a.followerId, b.followerId));
    for (const edge of pending) this.accept(edge);
    return { isPrivate, changed: true, acceptedFollowerIds: pending.map((e) => e.followerId) };
  }

  async updateAccountPolicies(userId: UserId, patch: AccountPoliciesPatch): Promise<PoliciesOutcome> {
    const before = this.store.settings(userId);
    const after = withAccountPolicies(before, patch);
    const { isPrivate: _before, ...was } = before;
    const { isPrivate: _after, ...policies } = after;
    const changed = JSON.stringify(was) !== JSON.stringify(policies);
    if (changed) this.store.policies.set(userId, policies);
    return { policies, changed };
  }

  async updateSettings(userId: UserId, change: SettingsChange): Promise<SettingsOutcome> {
    // Nothing here can fail halfway (the policies were checked by the caller), so this is atomic.
    return {
      privacy: change.isPrivate === undefined ? null : await this.setPrivacy(userId, change.isPrivate),
      policies: Object.keys(change.policies).length === 0 ? null : await this.updateAccountPolicies(userId, change.policies),
    };
  }

  async expireRequests(limit: number): Promise<ExpiredRequestsOutcome> {
    const nowUs = BigInt(Date.now()) * 1000n;
    const due = [...this.store.edges.values()]
      .filter((e) => {
        const ttl = this.store.settings(e.followingId).requestTtlDays;
        return e.status === 'pending' && ttl !== null && e.createdAtUs < nowUs - BigInt(ttl) * 86_400_000_000n;
      })
      .sort((a, b) => compareUserIds(a.followerId, b.followerId) || compareUserIds(a.followingId, b.followingId))
      .slice(0, limit);
    for (const edge of due) this.removeEdge(edge, 'expired');
    return { expired: due.map((e) => ({ followerId: e.followerId, followingId: e.followingId })) };
  }

  async eraseUser(userId: UserId): Promise<EraseOutcome> {
    const affected = new Set<UserId>();
    const edges = [...this.store.edges.values()]
      .filter((e) => e.followerId === userId || e.followingId === userId)
      .sort((a, b) => compareUserIds(a.followerId, b.followerId) || compareUserIds(a.followingId, b.followingId));
    for (const edge of edges) {
      this.removeEdge(edge, 'erased');
      affected.add(edge.followerId).add(edge.followingId);
    }
    const blocks = [...this.store.blocks.entries()]
      .filter(([, b]) => b.blockerId === userId || b.blockedId === userId)
      .sort(([, x], [, y]) => compareUserIds(x.blockerId, y.blockerId) || compareUserIds(x.blockedId, y.blockedId));
    for (const [key, block] of blocks) {
      this.store.blocks.delete(key);
      this.store.blockEvents.push({ type: 'unblock', blockerId: block.blockerId, blockedId: block.blockedId });
      affected.add(block.blockerId).add(block.blockedId);
    }
    for (const key of [...this.store.dismissals]) {
      const [by, of] = key.split('>');
      if (by === userId || of === userId) this.store.dismissals.delete(key);
    }
    const hadPolicies = this.store.policies.delete(userId);
    if (this.store.privateUsers.delete(userId) || hadPolicies) affected.add(userId);
    return { affectedUserIds: [...affected].sort(compareUserIds), removedEdges: edges.length };
  }

  private follows(followerId: UserId, followingId: UserId): boolean {
    return this.store.edge(followerId, followingId)?.status === 'accepted';
  }

  /** The edge is made at acceptance: its created_at moves to now. */
  private accept(edge: StoredEdge): void {
    edge.status = 'accepted';
    edge.createdAtUs = this.store.tick();
    this.emit({ followerId: edge.followerId, followingId: edge.followingId, from: 'pending', to: 'accepted' });
  }

  /** Deletes the edge, with the event edgeTransition gives (none for a rejected request). */
  private removeEdge(edge: StoredEdge, reason: UnfollowReason): void {
    this.store.edges.delete(InMemoryGraphStore.pairKey(edge.followerId, edge.followingId));
    this.emit({ followerId: edge.followerId, followingId: edge.followingId, from: edge.status, to: 'none', reason });
  }

  /** Counters are recounted from the edges here, so only the event of the transition is kept. */
  private emit(t: EdgeTransitionInput): void {
    const { event } = edgeTransition(t);
    if (event) this.store.events.push(event);
  }
}
