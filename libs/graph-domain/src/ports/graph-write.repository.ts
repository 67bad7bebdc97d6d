import { AccountPolicies, AccountPoliciesPatch } from '../model/account-settings';
import { GraphEvent } from '../model/graph-event';
import { FollowOptions, FollowOptionsPatch } from '../model/follow-options';
import { FollowingCap } from '../model/following-cap';
import { FollowStatus } from '../model/relationship';
import { UserId } from '../model/user-id';

export interface FollowOutcome {
  /** The state of the edge after the call. */
  status: FollowStatus;
  /** False when the edge already was in that state (idempotent repeat: nothing written). */
  changed: boolean;
  /** created_at of the edge (µs since the epoch, decimal), so caches can place it exactly. */
  createdAtUs: string;
}

export interface FollowOptionsOutcome {
  /** The edge's state, or null when there is no follow nor pending request (nothing written). */
  status: FollowStatus | null;
  /** Whether the options changed (then a follow_updated event was written). */
  updated: boolean;
  /** The options after the call; null when there is no edge. */
  options: FollowOptions | null;
}

export interface RequestResponseOutcome {
  status: 'accepted' | 'rejected';
  changed: boolean;
  /** created_at of the accepted edge (acceptance time, µs since the epoch); null when rejected. */
  createdAtUs: string | null;
}

export interface PrivacyOutcome {
  isPrivate: boolean;
  changed: boolean;
  /** Followers whose pending requests were accepted because the account became public. */
  acceptedFollowerIds: UserId[];
}

export interface PoliciesOutcome {
  /** The account's policies after the call. */
  policies: AccountPolicies;
  /** False when every given policy already had its value (nothing written). */
  changed: boolean;
}

/** What PATCH /settings changes: the privacy, any of the policies, or both. */
export interface SettingsChange {
  isPrivate?: boolean;
  policies: AccountPoliciesPatch;
}

/** Each part's outcome, null for a part the change did not name. */
export interface SettingsOutcome {
  privacy: PrivacyOutcome | null;
  policies: PoliciesOutcome | null;
}

export interface ExpiredRequestsOutcome {
  /** The requests deleted, requester and requested account each. */
  expired: Array<{ followerId: UserId; followingId: UserId }>;
}

export interface EraseOutcome {
  /** Every user whose edges or counters changed, the erased user included (for cache invalidation). */
  affectedUserIds: UserId[];
  removedEdges: number;
}

/**
 * The write side of the graph. Each method is one domain operation and one database transaction:
 * the edge change, the exact counters (follower/following/pending of both users) and one outbox
 * event per visible change commit together or not at all. Every method is idempotent: a repeat
 * returns the current state with `changed: false`, writes nothing and emits no event.
 * Methods receive ids already validated; self-follow and self-block are refused by the use cases.
 */
export abstract class GraphWriteRepository {
  /**
   * Follows `followingId`, or sends a follow request when that account is private (read in the same
   * transaction). A previously rejected request becomes pending again. `options` (default
   * DEFAULT_FOLLOW_OPTIONS) are stored on an edge this call creates and travel in its follow event;
   * an existing follow or request keeps its own (change them with updateFollowOptions). A private
   * account with auto_accept_followed that follows the follower back (accepted) accepts at once.
   * @throws BlockedError when either user blocks the other (nothing written).
   * @throws FollowLimitReachedError when a new edge would take the follower's followings and
   *   outgoing requests past `cap` (followingLimit; default no cap); a repeat is never refused.
   * `admission`, when given, is a check already under way (the caller's rate limit): the write
   * starts only once it resolves, and when it rejects nothing is written and its error is thrown.
   * Passing it in lets adapters prepare the write alongside the check (the cache announces itself
   * in the same Redis round trip as the rate limiter's count).
   */
  abstract follow(followerId: UserId, followingId: UserId, options?: FollowOptions, cap?: FollowingCap, admission?: Promise<void>): Promise<FollowOutcome>;

  /**
   * Applies `patch` to the options of the follower's follow or pending request (they survive the
   * request's acceptance). A change writes one follow_updated event; the same options write nothing;
   * no edge (none, or a rejected request) answers status null and writes nothing.
   */
  abstract updateFollowOptions(followerId: UserId, followingId: UserId, patch: FollowOptionsPatch): Promise<FollowOptionsOutcome>;

  /**
   * Removes the edge follower→following whatever its state: an accepted follow (event reason
   * `unfollow`), a pending request (reason `cancelled`) or a rejected request (no event).
   * @returns the status that was removed, or null when there was nothing.
   */
  abstract unfollow(followerId: UserId, followingId: UserId): Promise<{ removed: FollowStatus | null }>;

  /**
   * The requested account (`ownerId`) accepts or rejects the request of `followerId`.
   * Repeating the same answer returns it with `changed: false`.
   * @throws RequestNotFoundError when there is no pending request (nor a matching earlier answer).
   */
  abstract respondToRequest(
    ownerId: UserId,
    followerId: UserId,
    action: 'accept' | 'reject',
  ): Promise<RequestResponseOutcome>;

  /** Removes `followerId`'s accepted follow of `ownerId` (event reason `removed`). */
  abstract removeFollower(ownerId: UserId, followerId: UserId): Promise<{ removed: boolean }>;

  /**
   * Blocks: records the block and removes follows and requests in both directions (event reason
   * `blocked` for each visible one), with one `block` event (graph.block).
   */
  abstract block(blockerId: UserId, blockedId: UserId): Promise<{ changed: boolean; affectedUserIds: UserId[] }>;

  /** Removes the block, with one `unblock` event (graph.block); restores nothing. */
  abstract unblock(blockerId: UserId, blockedId: UserId): Promise<{ changed: boolean }>;

  /**
   * Dismisses `dismissedId` from `userId`'s suggestions for good (getRecommendations leaves it out
   * from then on). Private: no event. `changed` is false when it was dismissed already.
   */
  abstract dismissRecommendation(userId: UserId, dismissedId: UserId): Promise<{ changed: boolean }>;

  /**
   * Sets the account's privacy. Private → public accepts every pending request in the same
   * transaction, each with its `follow_request_accepted` event.
   */
  abstract setPrivacy(userId: UserId, isPrivate: boolean): Promise<PrivacyOutcome>;

  /**
   * Sets the given account policies (docs/api.md "Account policies"), leaving the others and the
   * privacy as they are; an account never configured starts from the defaults. No event: the
   * policies are the account's own business.
   */
  abstract updateAccountPolicies(userId: UserId, patch: AccountPoliciesPatch): Promise<PoliciesOutcome>;

  /**
   * setPrivacy and updateAccountPolicies in one transaction: both parts or neither (a policy the
   * store refuses leaves the privacy, the accepted requests and their events unwritten). A part
   * the change does not name (no `isPrivate`, an empty `policies`) is not touched.
   */
  abstract updateSettings(userId: UserId, change: SettingsChange): Promise<SettingsOutcome>;

  /**
   * Deletes up to `limit` pending requests older than their target's request_ttl_days (accounts
   * without one keep their requests), each with its unfollow event (reason `expired`) and counters.
   * Several instances may run it at once: each request expires once.
   */
  abstract expireRequests(limit: number): Promise<ExpiredRequestsOutcome>;

  /**
   * Erases the user from the graph: every edge, request, block and dismissed suggestion in both directions, the settings
   * and the counters; the other users' counters are fixed and an unfollow event (reason `erased`)
   * is emitted for each visible edge or request. A repeat finds nothing and emits nothing.
   */
  abstract eraseUser(userId: UserId): Promise<EraseOutcome>;
}

export type { GraphEvent };
