import { ListVisibility, UserSettings } from './account-settings';
import { OwnedEdgeList } from './edge-list';
import { GraphStats, VisibleStats } from './graph-stats';
import { UserId } from './user-id';

/** What decides whether a viewer may see a list about an owner (followers, following, mutuals, …). */
export interface ListAccessFacts {
  /** The viewer is the owner. */
  self: boolean;
  /** The owner blocks the viewer (the viewer's own block of the owner hides nothing). */
  blockedByOwner: boolean;
  ownerPrivate: boolean;
  /** The viewer follows the owner, accepted (a pending request does not count). */
  acceptedFollower: boolean;
  /** The owner's visibility setting for this list (listVisibilityOf); absent: public. */
  visibility?: ListVisibility;
}

export type ListAccess = 'ok' | 'blocked' | 'private' | 'hidden';

/** The lists whose visibility an owner sets, and the derived ones that follow them. */
export type VisibilityListKind = OwnedEdgeList['kind'] | 'common_followers';

/**
 * THE list-visibility rule: the owner sees everything; a viewer the owner blocks is refused
 * (private or not, follower or not); a private owner's lists are for accepted followers only;
 * then the owner's visibility for the list: `followers` keeps it to accepted followers, `private`
 * to the owner (`hidden`). Adapters fetch the facts and call this; their fast paths (Lua, the
 * in-memory store) only answer an owner with default settings and are checked against it by the
 * read contract's every-combination case.
 */
export function listAccess(facts: ListAccessFacts): ListAccess {
  if (facts.self) return 'ok';
  if (facts.blockedByOwner) return 'blocked';
  if (facts.ownerPrivate && !facts.acceptedFollower) return 'private';
  const visibility = facts.visibility ?? 'public';
  if (visibility === 'private' || (visibility === 'followers' && !facts.acceptedFollower)) return 'hidden';
  return 'ok';
}

const STRICTNESS: Record<ListVisibility, number> = { public: 0, followers: 1, private: 2 };

/**
 * The owner's visibility for a list: followers (and the known and common followers taken from it)
 * by followers_visibility, following by following_visibility, mutuals (part of both) by the stricter.
 */
export function listVisibilityOf(settings: Pick<UserSettings, 'followersVisibility' | 'followingVisibility'>, kind: VisibilityListKind): ListVisibility {
  switch (kind) {
    case 'following':
      return settings.followingVisibility;
    case 'mutuals':
      return STRICTNESS[settings.followingVisibility] > STRICTNESS[settings.followersVisibility] ? settings.followingVisibility : settings.followersVisibility;
    default:
      return settings.followersVisibility;
  }
}

/** The facts a viewer's relationship row and the owner's settings give (as the use cases read them). */
export function listAccessOf(
  viewerId: UserId,
  ownerId: UserId,
  r: { blockedBy: boolean; following: boolean },
  owner: Pick<UserSettings, 'isPrivate' | 'followersVisibility' | 'followingVisibility'>,
  kind: VisibilityListKind,
): ListAccess {
  return listAccess({
    self: viewerId === ownerId,
    blockedByOwner: r.blockedBy,
    ownerPrivate: owner.isPrivate,
    acceptedFollower: r.following,
    visibility: listVisibilityOf(owner, kind),
  });
}

/**
 * Counts are public unless the owner sets hide_counts; then each count shows only to a viewer who
 * may see its list (the rule above), and the pending requests to the owner alone.
 */
export function visibleStats(
  viewerId: UserId,
  stats: GraphStats,
  r: { blockedBy: boolean; following: boolean },
  owner: Pick<UserSettings, 'isPrivate' | 'followersVisibility' | 'followingVisibility' | 'hideCounts'>,
): VisibleStats {
  if (!owner.hideCounts || viewerId === stats.userId) return { ...stats };
  const shown = (kind: VisibilityListKind, count: number) => (listAccessOf(viewerId, stats.userId, r, owner, kind) === 'ok' ? count : null);
  return {
    userId: stats.userId,
    followerCount: shown('followers', stats.followerCount),
    followingCount: shown('following', stats.followingCount),
    pendingRequestsCount: null,
  };
}
