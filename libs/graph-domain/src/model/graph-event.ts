import { FollowOptions } from './follow-options';
import { FollowStatus } from './relationship';
import { UserId } from './user-id';

/** `expired`: a pending request outlived its target's request_ttl_days. */
export type UnfollowReason = 'unfollow' | 'removed' | 'blocked' | 'cancelled' | 'erased' | 'expired';

/**
 * What changed in the graph, as the write side records it. The Postgres adapter turns each into an
 * outbox row in the same transaction as the change (payloads in libs/graph-contracts).
 */
export type GraphEvent =
  | { type: 'follow'; followerId: UserId; followingId: UserId; status: FollowStatus; isMutual: boolean; options: FollowOptions }
  /** The follower changed the options of an existing follow or request (no new follow). */
  | { type: 'follow_updated'; followerId: UserId; followingId: UserId; status: FollowStatus; options: FollowOptions }
  | { type: 'unfollow'; followerId: UserId; followingId: UserId; reason: UnfollowReason; previousStatus: FollowStatus }
  | { type: 'follow_request_accepted'; followerId: UserId; followingId: UserId }
  | { type: 'follow_request_rejected'; followerId: UserId; followingId: UserId };

/**
 * A block made or undone, for internal consumers (graph.block, key blocker_id). Kept apart from
 * GraphEvent: it is about the pair of accounts, not a follow edge; the follows a block removes get
 * their own unfollow events (reason blocked).
 */
export type BlockEvent = { type: 'block' | 'unblock'; blockerId: UserId; blockedId: UserId };
