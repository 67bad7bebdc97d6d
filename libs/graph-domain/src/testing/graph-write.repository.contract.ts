import { BlockedError, RateLimitedError, RequestNotFoundError } from '../graph.errors';
import { EDGE_TRANSITIONS, EdgeState, edgeTransition } from '../model/edge-transition';
import { DEFAULT_FOLLOW_OPTIONS, FollowOptions } from '../model/follow-options';
import { BlockEvent, GraphEvent, UnfollowReason } from '../model/graph-event';
import { UserId, compareUserIds } from '../model/user-id';
import { codeOf } from './error-code';
import { GraphWriteRepository } from '../ports/graph-write.repository';
import { StoredStatus } from './in-memory-graph.store';

export interface GraphCounts {
  followers: number;
  following: number;
  pending: number;
}

/** What a contract test may look at behind the port, read straight from the implementation's state. */
export interface GraphWriteInspector {
  edgeStatus(followerId: UserId, followingId: UserId): Promise<StoredStatus | null>;
  /** The user's counters (the Postgres inspector also checks them against a recount). */
  counts(userId: UserId): Promise<GraphCounts>;
  /** Events emitted since the subject was created, in order; only those involving `userIds` when given. */
  events(...userIds: UserId[]): Promise<GraphEvent[]>;
  isBlocked(blockerId: UserId, blockedId: UserId): Promise<boolean>;
  /** Block events emitted since the subject was created whose blocker is `blockerId`, in order. */
  blockEvents(blockerId: UserId): Promise<BlockEvent[]>;
  isPrivate(userId: UserId): Promise<boolean>;
  /** The options stored on the edge follower→following (any state), or null when there is no edge. */
  followOptions(followerId: UserId, followingId: UserId): Promise<FollowOptions | null>;
  /** Whether `userId` dismissed `dismissedId` from its suggestions. */
  isDismissed(userId: UserId, dismissedId: UserId): Promise<boolean>;
  /** Moves the edge's created_at `days` days into the past (for request expiry). */
  ageEdge(followerId: UserId, followingId: UserId, days: number): Promise<void>;
}

export interface GraphWriteContractSubject {
  repo: GraphWriteRepository;
  inspect: GraphWriteInspector;
}

export interface GraphWriteContractSetup {
  create(): Promise<GraphWriteContractSubject>;
  /** A user id no other test uses. */
  newUserId(): UserId;
}

const zero: GraphCounts = { followers: 0, following: 0, pending: 0 };

function byPair(a: Pick<GraphEvent, 'followerId' | 'followingId'>, b: Pick<GraphEvent, 'followerId' | 'followingId'>): number {
  return compareUserIds(a.followerId, b.followerId) || compareUserIds(a.followingId, b.followingId);
}

/**
 * The behaviour every GraphWriteRepository must have (ports/graph-write.repository.ts), declared as
 * jest tests. Run against the in-memory fake and the Postgres adapter so the fake stays honest.
 */
export function describeGraphWriteRepositoryContract(name: string, setup: GraphWriteContractSetup): void {
  describe(`${name} honours the GraphWriteRepository contract`, () => {
    let repo: GraphWriteRepository;
    let inspect: GraphWriteInspector;
    let a: UserId;
    let b: UserId;
    let c: UserId;

    beforeEach(async () => {
      ({ repo, inspect } = await setup.create());
      [a, b, c] = [setup.newUserId(), setup.newUserId(), setup.newUserId()];
    });

    describe('follow', () => {
      it('follows a public account at once, counting it for both users', async () => {
        const outcome = await repo.follow(a, b);
        expect(outcome).toEqual({ status: 'accepted', changed: true, createdAtUs: expect.stringMatching(/^[0-9]{16}$/) });
        expect(await inspect.edgeStatus(a, b)).toBe('accepted');
        expect(await inspect.counts(a)).toEqual({ ...zero, following: 1 });
        expect(await inspect.counts(b)).toEqual({ ...zero, followers: 1 });
        expect(await inspect.events(a, b)).toEqual([{ type: 'follow', followerId: a, followingId: b, status: 'accepted', isMutual: false, options: DEFAULT_FOLLOW_OPTIONS }]);
      });

      it('returns the same state on a repeat, writing and emitting nothing', async () => {
        const first = await repo.follow(a, b);
        const again = await repo.follow(a, b);
        expect(again).toEqual({ status: 'accepted', changed: false, createdAtUs: first.createdAtUs });
        expect(await inspect.counts(b)).toEqual({ ...zero, followers: 1 });
        expect(await inspect.events(a, b)).toHaveLength(1);
      });

      it('marks the follow event mutual when the target already follows back', async () => {
        await repo.follow(b, a);
        await repo.follow(a, b);
        const events = await inspect.events(a, b);
        expect(events[1]).toEqual({ type: 'follow', followerId: a, followingId: b, status: 'accepted', isMutual: true, options: DEFAULT_FOLLOW_OPTIONS });
        expect(await inspect.counts(a)).toEqual({ followers: 1, following: 1, pending: 0 });
      });

      it('sends a request to a private account, counted as pending only', async () => {
        await repo.setPrivacy(b, true);
        const outcome = await repo.follow(a, b);
        expect(outcome).toMatchObject({ status: 'pending', changed: true });
        expect(await inspect.edgeStatus(a, b)).toBe('pending');
        expect(await inspect.counts(a)).toEqual(zero);
        expect(await inspect.counts(b)).toEqual({ ...zero, pending: 1 });
        expect(await inspect.events(a, b)).toEqual([{ type: 'follow', followerId: a, followingId: b, status: 'pending', isMutual: false, options: DEFAULT_FOLLOW_OPTIONS }]);
        expect(await repo.follow(a, b)).toEqual({ status: 'pending', changed: false, createdAtUs: outcome.createdAtUs });
        expect(await inspect.counts(b)).toEqual({ ...zero, pending: 1 });
        expect(await inspect.events(a, b)).toHaveLength(1);
      });

      it('refuses a follow when either user blocks the other, writing nothing', async () => {
        await repo.block(b, a);
        await expect(repo.follow(a, b)).rejects.toBeInstanceOf(BlockedError);
        await repo.block(a, c);
        await expect(repo.follow(a, c)).rejects.toBeInstanceOf(BlockedError);
        expect(await inspect.edgeStatus(a, b)).toBeNull();
        expect(await inspect.edgeStatus(a, c)).toBeNull();
        expect(await inspect.counts(b)).toEqual(zero);
        expect(await inspect.events(a, b, c)).toEqual([]);
      });

      it('waits for its admission: a refused one writes nothing and is thrown; an admitted one follows', async () => {
        await expect(repo.follow(a, b, undefined, undefined, Promise.reject(new RateLimitedError(7)))).rejects.toBeInstanceOf(RateLimitedError);
        expect(await inspect.edgeStatus(a, b)).toBeNull();
        expect(await inspect.counts(b)).toEqual(zero);
        expect(await inspect.events(a, b)).toEqual([]);
        let admit!: () => void;
        const admission = new Promise<void>((resolve) => (admit = resolve));
        const follow = repo.follow(a, b, undefined, undefined, admission);
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await inspect.edgeStatus(a, b)).toBeNull(); // still waiting
        admit();
        expect((await follow).changed).toBe(true);
        expect(await inspect.edgeStatus(a, b)).toBe('accepted');
      });

      it('turns a rejected request into a pending one again', async () => {
        await repo.setPrivacy(b, true);
        await repo.follow(a, b);
        await repo.respondToRequest(b, a, 'reject');
        expect(await inspect.counts(b)).toEqual(zero);
        const again = await repo.follow(a, b);
        expect(again).toMatchObject({ status: 'pending', changed: true });
        expect(await inspect.counts(b)).toEqual({ ...zero, pending: 1 });
        expect((await inspect.events(a, b)).map((e) => e.type)).toEqual(['follow', 'follow_request_rejected', 'follow']);
      });

      it('follows at once after a rejection when the account has gone public', async () => {
        await repo.setPrivacy(b, true);
        await repo.follow(a, b);
        await repo.respondToRequest(b, a, 'reject');
        await repo.setPrivacy(b, false);
        expect(await inspect.edgeStatus(a, b)).toBe('rejected');
        expect(await repo.follow(a, b)).toMatchObject({ status: 'accepted', changed: true });
        expect(await inspect.counts(b)).toEqual({ ...zero, followers: 1 });
      });

      it('refuses a new edge past the following cap, pending requests counted, writing nothing; a repeat still answers', async () => {
        const cap = { base: 2, permille: 1000 };
        const [d, e, f] = [setup.newUserId(), setup.newUserId(), setup.newUserId()];
        await repo.setPrivacy(c, true);
        await repo.follow(a, b, undefined, cap);
        await repo.follow(a, c, undefined, cap);
        expect(await codeOf(repo.follow(a, d, undefined, cap))).toBe('FOLLOW_LIMIT_REACHED');
        expect(await inspect.edgeStatus(a, d)).toBeNull();
        expect(await inspect.events(d)).toEqual([]);
        expect(await repo.follow(a, b, undefined, cap)).toMatchObject({ status: 'accepted', changed: false });
        expect(await repo.follow(a, d)).toMatchObject({ changed: true });
        // With three followers, a may hold max(2, 3 × 1000 / 1000) = 3 edges; with 1.5 × followers, floor(4.5) = 4.
        await repo.unfollow(a, d);
        for (const fan of [d, e, f]) await repo.follow(fan, a);
        expect(await repo.follow(a, d, undefined, cap)).toMatchObject({ changed: true });
        expect(await codeOf(repo.follow(a, e, undefined, cap))).toBe('FOLLOW_LIMIT_REACHED');
        expect(await repo.follow(a, e, undefined, { base: 2, permille: 1500 })).toMatchObject({ changed: true });
        expect(await codeOf(repo.follow(a, f, undefined, { base: 2, permille: 1500 }))).toBe('FOLLOW_LIMIT_REACHED');
        // A cancelled request frees its place.
        await repo.unfollow(a, c);
        expect(await repo.follow(a, f, undefined, { base: 2, permille: 1500 })).toMatchObject({ changed: true });
      });

      it('a private account with auto_accept_followed accepts at once a request from an account it follows', async () => {
        await repo.setPrivacy(b, true);
        await repo.updateAccountPolicies(b, { autoAcceptFollowed: true });
        await repo.follow(b, a);
        expect(await repo.follow(a, b)).toMatchObject({ status: 'accepted', changed: true });
        expect((await inspect.events(a, b)).filter((e) => e.followerId === a)).toEqual([
          { type: 'follow', followerId: a, followingId: b, status: 'accepted', isMutual: true, options: DEFAULT_FOLLOW_OPTIONS },
        ]);
        expect(await repo.follow(c, b)).toMatchObject({ status: 'pending' });
        expect(await inspect.counts(b)).toEqual({ followers: 1, following: 1, pending: 1 });
      });
    });

    describe('unfollow', () => {
      it('removes an accepted follow with reason unfollow, then finds nothing', async () => {
        await repo.follow(a, b);
        expect(await repo.unfollow(a, b)).toEqual({ removed: 'accepted' });
        expect(await inspect.edgeStatus(a, b)).toBeNull();
        expect(await inspect.counts(a)).toEqual(zero);
        expect(await inspect.counts(b)).toEqual(zero);
        expect(await repo.unfollow(a, b)).toEqual({ removed: null });
        expect((await inspect.events(a, b))[1]).toEqual({ type: 'unfollow', followerId: a, followingId: b, reason: 'unfollow', previousStatus: 'accepted' });
        expect(await inspect.events(a, b)).toHaveLength(2);
      });

      it('cancels a pending request with reason cancelled', async () => {
        await repo.setPrivacy(b, true);
        await repo.follow(a, b);
        expect(await repo.unfollow(a, b)).toEqual({ removed: 'pending' });
        expect(await inspect.counts(b)).toEqual(zero);
        expect((await inspect.events(a, b))[1]).toEqual({ type: 'unfollow', followerId: a, followingId: b, reason: 'cancelled', previousStatus: 'pending' });
      });

      it('drops a rejected request silently', async () => {
        await repo.setPrivacy(b, true);
        await repo.follow(a, b);
        await repo.respondToRequest(b, a, 'reject');
        expect(await repo.unfollow(a, b)).toEqual({ removed: null });
        expect(await inspect.edgeStatus(a, b)).toBeNull();
        expect(await inspect.events(a, b)).toHaveLength(2);
      });
    });

    describe('respondToRequest', () => {
      beforeEach(() => repo.setPrivacy(b, true));

      it('accepts: the edge is made at acceptance and counted as a follow', async () => {
        const request = await repo.follow(a, b);
        const accepted = await repo.respondToRequest(b, a, 'accept');
        expect(accepted).toMatchObject({ status: 'accepted', changed: true });
        expect(BigInt(accepted.createdAtUs!)).toBeGreaterThanOrEqual(BigInt(request.createdAtUs));
        expect(await inspect.edgeStatus(a, b)).toBe('accepted');
        expect(await inspect.counts(b)).toEqual({ ...zero, followers: 1 });
        expect(await inspect.counts(a)).toEqual({ ...zero, following: 1 });
        expect((await inspect.events(a, b))[1]).toEqual({ type: 'follow_request_accepted', followerId: a, followingId: b });
        expect(await repo.respondToRequest(b, a, 'accept')).toEqual({ status: 'accepted', changed: false, createdAtUs: accepted.createdAtUs });
        expect(await inspect.events(a, b)).toHaveLength(2);
        await expect(repo.respondToRequest(b, a, 'reject')).rejects.toBeInstanceOf(RequestNotFoundError);
      });

      it('rejects: the request leaves the pending count, a repeat changes nothing', async () => {
        await repo.follow(a, b);
        expect(await repo.respondToRequest(b, a, 'reject')).toEqual({ status: 'rejected', changed: true, createdAtUs: null });
        expect(await inspect.edgeStatus(a, b)).toBe('rejected');
        expect(await inspect.counts(b)).toEqual(zero);
        expect(await repo.respondToRequest(b, a, 'reject')).toEqual({ status: 'rejected', changed: false, createdAtUs: null });
        expect(await inspect.events(a, b)).toEqual([
          { type: 'follow', followerId: a, followingId: b, status: 'pending', isMutual: false, options: DEFAULT_FOLLOW_OPTIONS },
          { type: 'follow_request_rejected', followerId: a, followingId: b },
        ]);
        await expect(repo.respondToRequest(b, a, 'accept')).rejects.toBeInstanceOf(RequestNotFoundError);
      });

      it('finds no request where there is none, or where the answer would be the requester\u2019s', async () => {
        await expect(repo.respondToRequest(b, a, 'accept')).rejects.toBeInstanceOf(RequestNotFoundError);
        await expect(repo.respondToRequest(b, a, 'reject')).rejects.toBeInstanceOf(RequestNotFoundError);
        await repo.follow(a, b);
        await expect(repo.respondToRequest(a, b, 'accept')).rejects.toBeInstanceOf(RequestNotFoundError);
        expect(await inspect.edgeStatus(a, b)).toBe('pending');
      });
    });

    describe('follow options', () => {
      const chosen: FollowOptions = { notify: true, reposts: false, languages: ['de', 'en'] };

      it('stores the options of a new follow and sends them with its event', async () => {
        await repo.follow(a, b, chosen);
        expect(await inspect.followOptions(a, b)).toEqual(chosen);
        expect(await inspect.events(a, b)).toEqual([{ type: 'follow', followerId: a, followingId: b, status: 'accepted', isMutual: false, options: chosen }]);
      });

      it('a repeat follow leaves the existing options alone', async () => {
        await repo.follow(a, b, chosen);
        expect(await repo.follow(a, b)).toMatchObject({ changed: false });
        expect(await inspect.followOptions(a, b)).toEqual(chosen);
      });

      it('updates options with one follow_updated event and no follow event; the same options write nothing', async () => {
        await repo.follow(a, b);
        expect(await repo.updateFollowOptions(a, b, { notify: true })).toEqual({
          status: 'accepted',
          updated: true,
          options: { ...DEFAULT_FOLLOW_OPTIONS, notify: true },
        });
        expect(await repo.updateFollowOptions(a, b, { notify: true, languages: null })).toMatchObject({ updated: false });
        expect(await repo.updateFollowOptions(a, b, { languages: ['fr'] })).toMatchObject({ updated: true, options: { notify: true, reposts: true, languages: ['fr'] } });
        expect(await inspect.events(a, b)).toEqual([
          { type: 'follow', followerId: a, followingId: b, status: 'accepted', isMutual: false, options: DEFAULT_FOLLOW_OPTIONS },
          { type: 'follow_updated', followerId: a, followingId: b, status: 'accepted', options: { ...DEFAULT_FOLLOW_OPTIONS, notify: true } },
          { type: 'follow_updated', followerId: a, followingId: b, status: 'accepted', options: { notify: true, reposts: true, languages: ['fr'] } },
        ]);
        expect(await inspect.counts(b)).toEqual({ ...zero, followers: 1 });
      });

      it('options of a pending request survive its acceptance and the account going public', async () => {
        await repo.setPrivacy(b, true);
        await repo.follow(a, b, chosen);
        expect(await repo.updateFollowOptions(a, b, { reposts: true })).toMatchObject({ status: 'pending', updated: true });
        await repo.respondToRequest(b, a, 'accept');
        expect(await inspect.followOptions(a, b)).toEqual({ ...chosen, reposts: true });
        await repo.setPrivacy(c, true);
        await repo.follow(a, c, chosen);
        await repo.setPrivacy(c, false);
        expect(await inspect.edgeStatus(a, c)).toBe('accepted');
        expect(await inspect.followOptions(a, c)).toEqual(chosen);
      });

      it('finds no edge to update when there is none or the request was rejected; a new request takes new options', async () => {
        await expect(repo.updateFollowOptions(a, b, { notify: true })).resolves.toEqual({ status: null, updated: false, options: null });
        await repo.setPrivacy(b, true);
        await repo.follow(a, b, chosen);
        await repo.respondToRequest(b, a, 'reject');
        await expect(repo.updateFollowOptions(a, b, { notify: false })).resolves.toEqual({ status: null, updated: false, options: null });
        await repo.follow(a, b);
        expect(await inspect.followOptions(a, b)).toEqual(DEFAULT_FOLLOW_OPTIONS);
        expect((await inspect.events(a, b)).filter((e) => e.type === 'follow_updated')).toEqual([]);
      });
    });

    describe('removeFollower', () => {
      it('removes an accepted follower with reason removed; a request is not a follower', async () => {
        await repo.follow(a, b);
        expect(await repo.removeFollower(b, a)).toEqual({ removed: true });
        expect(await inspect.counts(b)).toEqual(zero);
        expect(await inspect.counts(a)).toEqual(zero);
        expect(await repo.removeFollower(b, a)).toEqual({ removed: false });
        expect((await inspect.events(a, b))[1]).toEqual({ type: 'unfollow', followerId: a, followingId: b, reason: 'removed', previousStatus: 'accepted' });

        await repo.setPrivacy(b, true);
        await repo.follow(c, b);
        expect(await repo.removeFollower(b, c)).toEqual({ removed: false });
        expect(await inspect.edgeStatus(c, b)).toBe('pending');
      });
    });

    describe('block and unblock', () => {
      it('removes follows and requests both ways with reason blocked, and keeps them out', async () => {
        await repo.follow(a, b);
        await repo.setPrivacy(a, true);
        await repo.follow(b, a);
        const outcome = await repo.block(a, b);
        expect(outcome.changed).toBe(true);
        expect([...outcome.affectedUserIds].sort(compareUserIds)).toEqual([a, b].sort(compareUserIds));
        expect(await inspect.isBlocked(a, b)).toBe(true);
        expect(await inspect.isBlocked(b, a)).toBe(false);
        expect(await inspect.edgeStatus(a, b)).toBeNull();
        expect(await inspect.edgeStatus(b, a)).toBeNull();
        expect(await inspect.counts(a)).toEqual(zero);
        expect(await inspect.counts(b)).toEqual(zero);
        const removals = (await inspect.events(a, b)).filter((e) => e.type === 'unfollow').sort(byPair);
        expect(removals).toEqual(
          [
            { type: 'unfollow', followerId: a, followingId: b, reason: 'blocked', previousStatus: 'accepted' },
            { type: 'unfollow', followerId: b, followingId: a, reason: 'blocked', previousStatus: 'pending' },
          ].sort(byPair),
        );

        expect(await repo.block(a, b)).toEqual({ changed: false, affectedUserIds: [] });
        expect(await inspect.events(a, b)).toHaveLength(4);
        await expect(repo.follow(b, a)).rejects.toBeInstanceOf(BlockedError);
      });

      it('emits one block event per block made and one unblock event per block undone, none for repeats', async () => {
        await repo.block(a, b);
        await repo.block(a, b);
        await repo.unblock(a, b);
        await repo.unblock(a, b);
        await repo.unblock(a, c);
        expect(await inspect.blockEvents(a)).toEqual([
          { type: 'block', blockerId: a, blockedId: b },
          { type: 'unblock', blockerId: a, blockedId: b },
        ]);
        expect(await inspect.blockEvents(b)).toEqual([]);
      });

      it('unblocks without restoring anything, and follows work again', async () => {
        await repo.follow(a, b);
        await repo.block(b, a);
        expect(await repo.unblock(a, b)).toEqual({ changed: false });
        expect(await repo.unblock(b, a)).toEqual({ changed: true });
        expect(await repo.unblock(b, a)).toEqual({ changed: false });
        expect(await inspect.isBlocked(b, a)).toBe(false);
        expect(await inspect.edgeStatus(a, b)).toBeNull();
        expect(await repo.follow(a, b)).toMatchObject({ status: 'accepted', changed: true });
      });
    });

    describe('dismissRecommendation', () => {
      it('stores the dismissal once, one way, with no event and no edge change', async () => {
        await repo.follow(b, a);
        expect(await repo.dismissRecommendation(a, b)).toEqual({ changed: true });
        expect(await repo.dismissRecommendation(a, b)).toEqual({ changed: false });
        expect(await inspect.isDismissed(a, b)).toBe(true);
        expect(await inspect.isDismissed(b, a)).toBe(false);
        expect(await inspect.edgeStatus(b, a)).toBe('accepted');
        expect(await inspect.events(a, b)).toHaveLength(1);
        expect(await inspect.blockEvents(a)).toEqual([]);
      });
    });

    describe('updateAccountPolicies', () => {
      const defaults = { followersVisibility: 'public', followingVisibility: 'public', hideCounts: false, autoAcceptFollowed: false, requestTtlDays: null };

      it('starts from the defaults, sets only what is given, and a repeat changes nothing', async () => {
        expect(await repo.updateAccountPolicies(a, {})).toEqual({ policies: defaults, changed: false });
        expect(await repo.updateAccountPolicies(a, { followersVisibility: 'followers', requestTtlDays: 30 })).toEqual({
          policies: { ...defaults, followersVisibility: 'followers', requestTtlDays: 30 },
          changed: true,
        });
        expect(await repo.updateAccountPolicies(a, { followersVisibility: 'followers' })).toMatchObject({ changed: false });
        expect(await repo.updateAccountPolicies(a, { hideCounts: true, requestTtlDays: null })).toEqual({
          policies: { ...defaults, followersVisibility: 'followers', hideCounts: true },
          changed: true,
        });
        expect(await repo.updateAccountPolicies(b, {})).toEqual({ policies: defaults, changed: false });
      });

      it('leaves the privacy alone and is left alone by it; emits no event; erasure forgets the policies', async () => {
        await repo.setPrivacy(a, true);
        await repo.updateAccountPolicies(a, { followingVisibility: 'private', autoAcceptFollowed: true });
        expect(await inspect.isPrivate(a)).toBe(true);
        await repo.setPrivacy(a, false);
        expect((await repo.updateAccountPolicies(a, {})).policies).toEqual({ ...defaults, followingVisibility: 'private', autoAcceptFollowed: true });
        expect(await inspect.events(a)).toEqual([]);
        await repo.eraseUser(a);
        expect(await repo.updateAccountPolicies(a, {})).toEqual({ policies: defaults, changed: false });
      });
    });

    describe('updateSettings', () => {
      it('changes the privacy and the policies together, touches only the parts named, and a repeat changes nothing', async () => {
        await repo.setPrivacy(a, true);
        await repo.follow(b, a);
        const both = await repo.updateSettings(a, { isPrivate: false, policies: { hideCounts: true } });
        expect(both).toEqual({
          privacy: { isPrivate: false, changed: true, acceptedFollowerIds: [b] },
          policies: { policies: { followersVisibility: 'public', followingVisibility: 'public', hideCounts: true, autoAcceptFollowed: false, requestTtlDays: null }, changed: true },
        });
        expect(await inspect.edgeStatus(b, a)).toBe('accepted');
        expect(await inspect.counts(a)).toEqual({ ...zero, followers: 1 });
        expect((await inspect.events(a)).filter((e) => e.type === 'follow_request_accepted')).toEqual([{ type: 'follow_request_accepted', followerId: b, followingId: a }]);
        expect(await repo.updateSettings(a, { isPrivate: false, policies: { hideCounts: true } })).toMatchObject({
          privacy: { changed: false, acceptedFollowerIds: [] },
          policies: { changed: false },
        });
        expect(await repo.updateSettings(a, { policies: { requestTtlDays: 30 } })).toMatchObject({ privacy: null, policies: { changed: true } });
        expect(await inspect.isPrivate(a)).toBe(false);
        expect(await repo.updateSettings(a, { isPrivate: true, policies: {} })).toEqual({ privacy: { isPrivate: true, changed: true, acceptedFollowerIds: [] }, policies: null });
        expect((await repo.updateAccountPolicies(a, {})).policies).toMatchObject({ hideCounts: true, requestTtlDays: 30 });
      });
    });

    describe('expireRequests', () => {
      it('deletes pending requests older than the target’s request_ttl_days with reason expired; others stay', async () => {
        const [d, e] = [setup.newUserId(), setup.newUserId()];
        await repo.setPrivacy(b, true);
        await repo.setPrivacy(e, true);
        await repo.updateAccountPolicies(b, { requestTtlDays: 7 });
        await repo.follow(a, b);
        await repo.follow(c, b);
        await repo.follow(d, e);
        await repo.follow(a, d);
        await inspect.ageEdge(a, b, 8);
        await inspect.ageEdge(c, b, 6);
        // No TTL on e: an old request stays; an old accepted follow never expires.
        await inspect.ageEdge(d, e, 400);
        await inspect.ageEdge(a, d, 400);
        const mine = (o: { expired: Array<{ followerId: UserId; followingId: UserId }> }) => o.expired.filter((x) => [a, b, c, d, e].includes(x.followingId));
        expect(mine(await repo.expireRequests(1000))).toEqual([{ followerId: a, followingId: b }]);
        expect(await inspect.edgeStatus(a, b)).toBeNull();
        expect(await inspect.edgeStatus(c, b)).toBe('pending');
        expect(await inspect.edgeStatus(d, e)).toBe('pending');
        expect(await inspect.counts(b)).toEqual({ ...zero, pending: 1 });
        expect((await inspect.events(a, b)).filter((x) => x.type === 'unfollow')).toEqual([
          { type: 'unfollow', followerId: a, followingId: b, reason: 'expired', previousStatus: 'pending' },
        ]);
        expect(mine(await repo.expireRequests(1000))).toEqual([]);
      });
    });

    describe('setPrivacy', () => {
      it('goes private and back; a repeat changes nothing', async () => {
        expect(await repo.setPrivacy(a, false)).toEqual({ isPrivate: false, changed: false, acceptedFollowerIds: [] });
        expect(await repo.setPrivacy(a, true)).toEqual({ isPrivate: true, changed: true, acceptedFollowerIds: [] });
        expect(await inspect.isPrivate(a)).toBe(true);
        expect(await repo.setPrivacy(a, true)).toEqual({ isPrivate: true, changed: false, acceptedFollowerIds: [] });
        expect(await repo.setPrivacy(a, false)).toEqual({ isPrivate: false, changed: true, acceptedFollowerIds: [] });
        expect(await inspect.isPrivate(a)).toBe(false);
      });

      it('accepts every pending request when the account goes public, each with its event', async () => {
        const d = setup.newUserId();
        await repo.setPrivacy(a, true);
        await repo.follow(b, a);
        await repo.follow(c, a);
        await repo.follow(d, a);
        await repo.respondToRequest(a, d, 'reject');
        const outcome = await repo.setPrivacy(a, false);
        expect(outcome.changed).toBe(true);
        expect([...outcome.acceptedFollowerIds].sort(compareUserIds)).toEqual([b, c].sort(compareUserIds));
        expect(await inspect.edgeStatus(b, a)).toBe('accepted');
        expect(await inspect.edgeStatus(c, a)).toBe('accepted');
        expect(await inspect.edgeStatus(d, a)).toBe('rejected');
        expect(await inspect.counts(a)).toEqual({ ...zero, followers: 2 });
        expect(await inspect.counts(b)).toEqual({ ...zero, following: 1 });
        const accepted = (await inspect.events(a)).filter((e) => e.type === 'follow_request_accepted').sort(byPair);
        expect(accepted).toEqual(
          [
            { type: 'follow_request_accepted', followerId: b, followingId: a },
            { type: 'follow_request_accepted', followerId: c, followingId: a },
          ].sort(byPair),
        );
      });
    });

    describe('eraseUser', () => {
      it('removes every edge, request, block and setting of the user and fixes the others\u2019 counters', async () => {
        const [d, e, f] = [setup.newUserId(), setup.newUserId(), setup.newUserId()];
        await repo.follow(a, b); // a follows b
        await repo.follow(b, a); // b follows a
        await repo.setPrivacy(c, true);
        await repo.follow(a, c); // a's request to c
        await repo.setPrivacy(a, true);
        await repo.follow(d, a); // d's request to a
        await repo.follow(e, a);
        await repo.respondToRequest(a, e, 'reject'); // rejected: no event when erased
        await repo.block(a, f);
        await repo.follow(b, c); // unrelated, must survive
        await repo.dismissRecommendation(a, d);
        await repo.dismissRecommendation(e, a);
        await repo.dismissRecommendation(b, c);

        const outcome = await repo.eraseUser(a);
        expect([...outcome.affectedUserIds].sort(compareUserIds)).toEqual([a, b, c, d, e, f].sort(compareUserIds));
        expect(outcome.removedEdges).toBe(5);
        for (const other of [b, c, d, e]) {
          expect(await inspect.edgeStatus(a, other)).toBeNull();
          expect(await inspect.edgeStatus(other, a)).toBeNull();
        }
        expect(await inspect.isBlocked(a, f)).toBe(false);
        expect(await inspect.blockEvents(a)).toEqual([
          { type: 'block', blockerId: a, blockedId: f },
          { type: 'unblock', blockerId: a, blockedId: f },
        ]);
        expect(await inspect.isPrivate(a)).toBe(false);
        expect(await inspect.counts(a)).toEqual(zero);
        expect(await inspect.counts(b)).toEqual(zero); // its follow of c is still a request
        expect(await inspect.counts(c)).toEqual({ ...zero, pending: 1 });
        expect(await inspect.edgeStatus(b, c)).toBe('pending');
        expect(await inspect.isDismissed(a, d)).toBe(false);
        expect(await inspect.isDismissed(e, a)).toBe(false);
        expect(await inspect.isDismissed(b, c)).toBe(true);

        const erased = (await inspect.events(a)).filter((ev) => ev.type === 'unfollow').sort(byPair);
        expect(erased).toEqual(
          [
            { type: 'unfollow', followerId: a, followingId: b, reason: 'erased', previousStatus: 'accepted' },
            { type: 'unfollow', followerId: b, followingId: a, reason: 'erased', previousStatus: 'accepted' },
            { type: 'unfollow', followerId: a, followingId: c, reason: 'erased', previousStatus: 'pending' },
            { type: 'unfollow', followerId: d, followingId: a, reason: 'erased', previousStatus: 'pending' },
          ].sort(byPair),
        );

        const before = (await inspect.events(a, b, c, d, e, f)).length;
        expect(await repo.eraseUser(a)).toEqual({ affectedUserIds: [], removedEdges: 0 });
        expect(await inspect.events(a, b, c, d, e, f)).toHaveLength(before);
      });
    });

    describe('edge transitions', () => {
      /** Brings the edge a→b into `state` through the port (b private for a request). */
      const reach = async (state: EdgeState): Promise<void> => {
        if (state === 'none') return;
        if (state !== 'accepted') await repo.setPrivacy(b, true);
        await repo.follow(a, b);
        if (state === 'rejected') await repo.respondToRequest(b, a, 'reject');
      };
      /** The port call that makes the edge a→b go to `to` (for a removal, for `reason`). */
      const make = async (to: EdgeState, reason: UnfollowReason | undefined): Promise<unknown> => {
        if (to === 'accepted' || to === 'rejected') {
          if ((await inspect.edgeStatus(a, b)) === 'pending') return repo.respondToRequest(b, a, to === 'accepted' ? 'accept' : 'reject');
          await repo.setPrivacy(b, false);
          return repo.follow(a, b);
        }
        if (to === 'pending') {
          await repo.setPrivacy(b, true);
          return repo.follow(a, b);
        }
        if (reason === 'removed') return repo.removeFollower(b, a);
        if (reason === 'blocked') return repo.block(b, a);
        if (reason === 'erased') return repo.eraseUser(a);
        if (reason === 'expired') {
          await repo.updateAccountPolicies(b, { requestTtlDays: 1 });
          await inspect.ageEdge(a, b, 2);
          return repo.expireRequests(1000);
        }
        return repo.unfollow(a, b);
      };
      const minus = (x: GraphCounts, y: GraphCounts): GraphCounts => ({
        followers: x.followers - y.followers,
        following: x.following - y.following,
        pending: x.pending - y.pending,
      });

      // Keeps every write path (a future single-statement SQL one too) on the domain's edge rule.
      it.each(EDGE_TRANSITIONS.map((t) => [`${t.from} → ${t.to}${t.reason ? ` (${t.reason})` : ''}`, t] as const))(
        '%s emits the event and moves the counters as edgeTransition says',
        async (_name, { from, to, reason }) => {
          await reach(from);
          expect((await inspect.edgeStatus(a, b)) ?? 'none').toBe(from);
          const [eventsBefore, aBefore, bBefore] = [(await inspect.events(a, b)).length, await inspect.counts(a), await inspect.counts(b)];

          await make(to, reason);

          const expected = edgeTransition({ followerId: a, followingId: b, from, to, reason, isMutual: false });
          expect((await inspect.edgeStatus(a, b)) ?? 'none').toBe(to);
          expect((await inspect.events(a, b)).slice(eventsBefore)).toEqual(expected.event ? [expected.event] : []);
          expect(minus(await inspect.counts(a), aBefore)).toEqual(expected.follower);
          expect(minus(await inspect.counts(b), bBefore)).toEqual(expected.following);
        },
      );
    });
  });
}
