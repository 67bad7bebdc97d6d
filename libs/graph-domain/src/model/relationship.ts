import { UserId } from './user-id';

export type FollowStatus = 'accepted' | 'pending';

export type RelationshipKind = 'none' | 'following' | 'followed_by' | 'mutual' | 'requested' | 'blocked';

/** How the viewer stands towards `userId`, all flags from the viewer's side. */
export interface Relationship {
  userId: UserId;
  following: boolean;
  followedBy: boolean;
  mutual: boolean;
  requested: boolean;
  requestedBy: boolean;
  blocking: boolean;
  blockedBy: boolean;
  relationship: RelationshipKind;
}

export interface RelationshipFlags {
  following: boolean;
  followedBy: boolean;
  requested: boolean;
  requestedBy: boolean;
  blocking: boolean;
  blockedBy: boolean;
}

/**
 * One word for the viewer's situation. A block wins over everything; then what the viewer did
 * (mutual, following, requested) before what the other did (followed_by), since that is what a
 * follow button shows.
 */
export function describeRelationship(userId: UserId, f: RelationshipFlags): Relationship {
  const mutual = f.following && f.followedBy;
  let relationship: RelationshipKind = 'none';
  if (f.blocking || f.blockedBy) relationship = 'blocked';
  else if (mutual) relationship = 'mutual';
  else if (f.following) relationship = 'following';
  else if (f.requested) relationship = 'requested';
  else if (f.followedBy) relationship = 'followed_by';
  return { userId, ...f, mutual, relationship };
}
