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
}

export type ListAccess = 'ok' | 'blocked' | 'private';

/**
 * THE list-visibility rule: the owner sees everything; a viewer the owner blocks is refused
 * (private or not, follower or not); a private owner's lists are for accepted followers only.
 * Adapters fetch the facts and call this; their fast paths (Lua, the in-memory store) are checked
 * against it by the read contract's every-combination case.
 */
export function listAccess(facts: ListAccessFacts): ListAccess {
  if (facts.self) return 'ok';
  if (facts.blockedByOwner) return 'blocked';
  if (facts.ownerPrivate && !facts.acceptedFollower) return 'private';
  return 'ok';
}

/** The facts a viewer's relationship row and the owner's privacy give (as the use cases read them). */
export function listAccessOf(viewerId: UserId, ownerId: UserId, r: { blockedBy: boolean; following: boolean }, ownerPrivate: boolean): ListAccess {
  return listAccess({ self: viewerId === ownerId, blockedByOwner: r.blockedBy, ownerPrivate, acceptedFollower: r.following });
}
