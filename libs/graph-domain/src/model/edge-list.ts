import { FollowOptions } from './follow-options';
import { UserId } from './user-id';

/**
 * Every list the service pages through. Each is ordered newest edge first and paged by keyset
 * (created_at, user id), never by OFFSET.
 */
export type EdgeList =
  /** accepted followers of userId */
  | { kind: 'followers'; userId: UserId }
  /** accounts userId follows (accepted) */
  | { kind: 'following'; userId: UserId }
  /** pending requests others sent to userId */
  | { kind: 'incoming_requests'; userId: UserId }
  /** pending requests userId sent */
  | { kind: 'outgoing_requests'; userId: UserId }
  /** accounts userId blocks */
  | { kind: 'blocks'; userId: UserId }
  /** users following both userA and userB, ordered by their edge to userA */
  | { kind: 'common_followers'; userA: UserId; userB: UserId }
  /** followers of userId whom viewerId follows, ordered by their edge to userId */
  | { kind: 'known_followers'; viewerId: UserId; userId: UserId }
  /** followers of userId that userId follows back, ordered by their edge to userId */
  | { kind: 'mutuals'; userId: UserId }
  /** accepted followers of userId who asked to be notified of its posts (follow option notify) */
  | { kind: 'notify_subscribers'; userId: UserId };

/**
 * Lists about one user (the owner), which the owner's privacy and blocks hide: read with
 * GraphReadRepository.readListPage, which checks access and reads the page and total together.
 */
export type OwnedEdgeList = Extract<EdgeList, { kind: 'followers' | 'following' | 'mutuals' | 'known_followers' }>;

export function isOwnedEdgeList(list: EdgeList): list is OwnedEdgeList {
  return list.kind === 'followers' || list.kind === 'following' || list.kind === 'mutuals' || list.kind === 'known_followers';
}

/** A stable name for a list, used to bind cursors (and cache keys) to the list they came from. */
export function edgeListKey(list: EdgeList): string {
  switch (list.kind) {
    case 'common_followers':
      return `${list.kind}:${list.userA}:${list.userB}`;
    case 'known_followers':
      return `${list.kind}:${list.viewerId}:${list.userId}`;
    default:
      return `${list.kind}:${list.userId}`;
  }
}

/** Position of the last row of a page: the next page starts strictly after it. */
export interface KeysetPosition {
  /** created_at of the edge in microseconds since the epoch (Postgres precision), decimal. */
  createdAtUs: string;
  userId: UserId;
}

export interface ListedEdge {
  userId: UserId;
  createdAt: Date;
  /**
   * created_at in µs since the epoch (decimal), as in KeysetPosition. Adapters set it so that a
   * cache can hold a page's rows and rebuild exactly the cursor Postgres would give.
   */
  createdAtUs?: string;
}

export interface PageQuery {
  limit: number;
  after: KeysetPosition | null;
}

export interface EdgeSlice {
  items: ListedEdge[];
  /** Where the next page starts, or null when this was the last page. */
  next: KeysetPosition | null;
}

/**
 * A page of an owned list as a viewer may see it: `blocked` when the owner blocks the viewer,
 * `private` when the owner is private and the viewer is neither the owner nor an accepted follower.
 */
export type ListPageRead = { access: 'ok'; slice: EdgeSlice; total: number } | { access: 'blocked' } | { access: 'private' } | { access: 'hidden' };

export interface Page {
  items: ListedEdge[];
  nextCursor: string | null;
  total: number;
}

/** Follow lists that internal services page with each edge's details. */
export type EdgeDetailList = Extract<EdgeList, { kind: 'followers' | 'following' | 'notify_subscribers' }>;

/** An edge with when it was made and the follower's options on it. */
export interface DetailedEdge extends ListedEdge {
  createdAtUs: string;
  options: FollowOptions;
}

/** Edges made at or after `since` and before `until` (either open when null). */
export interface EdgeTimeRange {
  since: Date | null;
  until: Date | null;
}

export interface DetailedEdgeSlice {
  items: DetailedEdge[];
  next: KeysetPosition | null;
}
