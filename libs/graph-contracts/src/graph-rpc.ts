/**
 * Request and reply payloads of the graph.rpc.* patterns. Every reply is either
 * `{ data }` or `{ error: { code, message } }`; ids are decimal strings (integers are accepted in).
 */
export type RpcId = string | number;

export interface RpcErrorBody {
  code: string;
  message: string;
}

export type RpcReply<T> = { data: T; error?: undefined } | { data?: undefined; error: RpcErrorBody };

export interface RelationshipDto {
  user_id: string;
  following: boolean;
  followed_by: boolean;
  mutual: boolean;
  requested: boolean;
  requested_by: boolean;
  blocking: boolean;
  blocked_by: boolean;
  relationship: 'none' | 'following' | 'followed_by' | 'mutual' | 'requested' | 'blocked';
  /** Follow options of the viewer's follow or request (false, false, null when there is none). */
  notifying: boolean;
  showing_reposts: boolean;
  /** ISO 639-1 codes the viewer's follow is limited to; null: every language. */
  languages: string[] | null;
  /** The viewer mutes this user (an expired mute is no mute). */
  muting: boolean;
  /** The viewer's mute hides this user's notifications too. */
  muting_notifications: boolean;
  /** ISO-8601 end of the viewer's timed mute; null when forever or not muting. */
  muting_expires_at: string | null;
}

export interface StatsDto {
  user_id: string;
  follower_count: number;
  following_count: number;
  pending_requests_count: number;
}

export interface RelationshipsRequest {
  viewer_id: RpcId;
  user_ids: RpcId[];
}
export type RelationshipsReplyData = RelationshipDto[];

export interface IsFollowingRequest {
  follower_id: RpcId;
  following_ids: RpcId[];
}
export interface IsFollowingReplyData {
  following_ids: string[];
}

export interface IdsPageRequest {
  user_id: RpcId;
  cursor?: string | null;
  limit?: number;
  /** Also answer `edges`: each edge's created_at and follow options. */
  with_edges?: boolean;
  /** ISO-8601: only edges made at or after this instant. */
  since?: string;
  /** ISO-8601: only edges made before this instant. */
  until?: string;
}
export interface IdsPageEdgeDto {
  user_id: string;
  /** ISO-8601, when the follow was made (accepted). */
  created_at: string;
  /** The follower's options on this follow. */
  options: { notify: boolean; reposts: boolean; languages: string[] | null };
}
export interface IdsPageReplyData {
  user_ids: string[];
  next_cursor: string | null;
  /** With `with_edges`: one per id, in the same order. */
  edges?: IdsPageEdgeDto[];
}

export interface StatsRequest {
  user_ids: RpcId[];
}
export type StatsReplyData = StatsDto[];

export interface MutedIdsRequest {
  viewer_id: RpcId;
  cursor?: string | null;
  /** 1 to 5000, default 1000. */
  limit?: number;
}
export interface MutedEntryDto {
  user_id: string;
  scope: 'all' | 'reposts';
  notifications: boolean;
  expires_at: string | null;
}
export interface MutedIdsReplyData {
  /** The viewer's active mutes, newest first. */
  mutes: MutedEntryDto[];
  next_cursor: string | null;
}

export interface BlockPairDto {
  user_id: RpcId;
  other_id: RpcId;
}
export interface BlockExistsRequest {
  /** Up to 100 pairs of users. */
  pairs: BlockPairDto[];
}
export interface BlockExistsReplyData {
  /** One per pair asked, in order: `blocked` when either user blocks the other. */
  pairs: Array<{ user_id: string; other_id: string; blocked: boolean }>;
}
