/** Kafka topics the Graph Service publishes to (3 partitions each, key = follower_id). */
export const GRAPH_EVENT_TOPICS = {
  follow: 'graph.follow',
  unfollow: 'graph.unfollow',
  followAccepted: 'graph.follow_accepted',
  followRejected: 'graph.follow_rejected',
} as const;
export type GraphEventTopic = (typeof GRAPH_EVENT_TOPICS)[keyof typeof GRAPH_EVENT_TOPICS];

export const GRAPH_EVENT_PARTITIONS = 3;

/** Request-reply patterns served by the Graph Service; replies come on `<pattern>.reply`. */
export const GRAPH_RPC_PATTERNS = {
  relationships: 'graph.rpc.relationships',
  isFollowing: 'graph.rpc.is_following',
  followerIds: 'graph.rpc.follower_ids',
  followingIds: 'graph.rpc.following_ids',
  stats: 'graph.rpc.stats',
} as const;
export type GraphRpcPattern = (typeof GRAPH_RPC_PATTERNS)[keyof typeof GRAPH_RPC_PATTERNS];

/** Topic the Graph Service consumes, produced by the account owner service. */
export const USER_EVENTS_TOPIC = 'user.events';
