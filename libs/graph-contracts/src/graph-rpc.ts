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
}
export interface IdsPageReplyData {
  user_ids: string[];
  next_cursor: string | null;
}

export interface StatsRequest {
  user_ids: RpcId[];
}
export type StatsReplyData = StatsDto[];
