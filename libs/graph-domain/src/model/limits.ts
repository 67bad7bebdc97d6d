/**
 * The one table of limits: page sizes and batch sizes of every read, whether it comes over REST or
 * Kafka request-reply (docs/api.md publishes the same numbers).
 */
export const GRAPH_LIMITS = {
  /** followers/following/requests/mutuals/blocks pages */
  pageDefault: 20,
  pageMax: 100,
  /** ids per relationships call (REST `ids`, RPC `user_ids`) */
  relationshipIds: 100,
  /** targets per GET /known-followers?ids= call, and the sample of followers shown for each */
  knownFollowersIds: 100,
  knownFollowersSample: 3,
  /** ids per stats call */
  statsIds: 100,
  /** candidates per graph.rpc.is_following call */
  filterFollowedIds: 1000,
  /** follow requests answered by one POST /requests call */
  bulkRequestIds: 100,
  /** pairs per graph.rpc.block_exists call */
  blockExistsPairs: 100,
  /** graph.rpc.follower_ids / following_ids / notify_subscriber_ids / muted_ids pages */
  idsPageDefault: 1000,
  idsPageMax: 5000,
  /** suggestions */
  recommendationsDefault: 10,
  recommendationsMax: 50,
} as const;
