import { DEFAULT_FOLLOW_OPTIONS, FollowOptions } from './follow-options';
import { GraphEvent, UnfollowReason } from './graph-event';
import { FollowStatus } from './relationship';
import { UserId } from './user-id';

/** A follow edge as stored: 'none' is no row; a rejected request is kept (hidden) until asked again. */
export type EdgeState = 'none' | FollowStatus | 'rejected';

/** Changes to one user's counters. */
export interface CounterDelta {
  followers: number;
  following: number;
  pending: number;
}

export interface EdgeTransitionInput {
  followerId: UserId;
  followingId: UserId;
  from: EdgeState;
  to: EdgeState;
  /** Why the edge goes (only when `to` is 'none'). */
  reason?: UnfollowReason;
  /** The target follows the follower back, accepted (only for a new follow). */
  isMutual?: boolean;
  /** The follower's options (only for a new follow; default DEFAULT_FOLLOW_OPTIONS). */
  options?: FollowOptions;
}

export interface EdgeTransition {
  /** The outbox event, or null when nothing visible changed (a rejected request appearing or going). */
  event: GraphEvent | null;
  /** Counter changes of the follower and of the followed user. */
  follower: CounterDelta;
  following: CounterDelta;
}

/** Every move the write port makes on an edge (the contract suite runs each against this function). */
export const EDGE_TRANSITIONS: ReadonlyArray<Readonly<{ from: EdgeState; to: EdgeState; reason?: UnfollowReason }>> = [
  { from: 'none', to: 'accepted' },
  { from: 'none', to: 'pending' },
  { from: 'rejected', to: 'accepted' },
  { from: 'rejected', to: 'pending' },
  { from: 'pending', to: 'accepted' },
  { from: 'pending', to: 'rejected' },
  { from: 'accepted', to: 'none', reason: 'unfollow' },
  { from: 'accepted', to: 'none', reason: 'removed' },
  { from: 'accepted', to: 'none', reason: 'blocked' },
  { from: 'accepted', to: 'none', reason: 'erased' },
  { from: 'pending', to: 'none', reason: 'cancelled' },
  { from: 'pending', to: 'none', reason: 'blocked' },
  { from: 'pending', to: 'none', reason: 'erased' },
  { from: 'pending', to: 'none', reason: 'expired' },
  { from: 'rejected', to: 'none', reason: 'unfollow' },
  { from: 'rejected', to: 'none', reason: 'blocked' },
  { from: 'rejected', to: 'none', reason: 'erased' },
];

const counted = (state: EdgeState, sign: number): { follower: CounterDelta; following: CounterDelta } => ({
  follower: { followers: 0, following: state === 'accepted' ? sign : 0, pending: 0 },
  following: { followers: state === 'accepted' ? sign : 0, following: 0, pending: state === 'pending' ? sign : 0 },
});

/**
 * THE edge rule: which event a from → to change of the edge follower→following emits and how it
 * moves both users' counters (an accepted edge counts as a follower and a following, a pending one
 * as a pending request of the followed user, a rejected one not at all). The SQL adapter, the cache
 * decorator and the in-memory fake call it instead of writing the rule themselves.
 */
export function edgeTransition(t: EdgeTransitionInput): EdgeTransition {
  const { followerId, followingId, from, to } = t;
  if (from === to) throw new Error(`edge transition ${from} → ${to} changes nothing`);
  const gone = counted(from, -1);
  const come = counted(to, 1);
  const sum = (x: CounterDelta, y: CounterDelta): CounterDelta => ({
    followers: x.followers + y.followers,
    following: x.following + y.following,
    pending: x.pending + y.pending,
  });
  return { event: eventOf(t), follower: sum(gone.follower, come.follower), following: sum(gone.following, come.following) };

  function eventOf({ reason, isMutual, options }: EdgeTransitionInput): GraphEvent | null {
    if (to === 'none') {
      if (from === 'rejected' || from === 'none') return null;
      if (!reason) throw new Error('an edge removal needs a reason');
      return { type: 'unfollow', followerId, followingId, reason, previousStatus: from };
    }
    if (from === 'pending' && to === 'accepted') return { type: 'follow_request_accepted', followerId, followingId };
    if (from === 'pending' && to === 'rejected') return { type: 'follow_request_rejected', followerId, followingId };
    if ((from === 'none' || from === 'rejected') && (to === 'accepted' || to === 'pending')) {
      return { type: 'follow', followerId, followingId, status: to, isMutual: isMutual ?? false, options: { ...(options ?? DEFAULT_FOLLOW_OPTIONS) } };
    }
    throw new Error(`no edge transition ${from} → ${to}`);
  }
}
