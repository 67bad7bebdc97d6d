/** Kafka topics the Graph Service publishes to (3 partitions each, key = follower_id). */
export const GRAPH_EVENT_TOPICS = {
  follow: 'graph.follow',
  unfollow: 'graph.unfollow',
  followAccepted: 'graph.follow_accepted',
  followRejected: 'graph.follow_rejected',
  followUpdated: 'graph.follow_updated',
} as const;
export type GraphEventTopic = (typeof GRAPH_EVENT_TOPICS)[keyof typeof GRAPH_EVENT_TOPICS];

/**
 * Private topic for internal consumers only (timeline, notifications): mute, unmute and expiry of
 * mutes, key = muter_id. Never exposed to users: the muted account must not learn of a mute.
 */
export const GRAPH_MUTE_TOPIC = 'graph.mute';

/** Blocks made and undone (key = blocker_id), for internal consumers (reply threads, moderation). */
export const GRAPH_BLOCK_TOPIC = 'graph.block';

export const GRAPH_EVENT_PARTITIONS = 3;

/** Request-reply patterns served by the Graph Service; replies come on `<pattern>.reply`. */
export const GRAPH_RPC_PATTERNS = {
  relationships: 'graph.rpc.relationships',
  isFollowing: 'graph.rpc.is_following',
  followerIds: 'graph.rpc.follower_ids',
  followingIds: 'graph.rpc.following_ids',
  stats: 'graph.rpc.stats',
  mutedIds: 'graph.rpc.muted_ids',
  notifySubscriberIds: 'graph.rpc.notify_subscriber_ids',
  blockExists: 'graph.rpc.block_exists',
} as const;
export type GraphRpcPattern = (typeof GRAPH_RPC_PATTERNS)[keyof typeof GRAPH_RPC_PATTERNS];

/** Topic the Graph Service consumes, produced by the account owner service. */
export const USER_EVENTS_TOPIC = 'user.events';

/** Topic on which replies to `pattern` come back (NestJS Kafka request-reply convention). */
export function graphRpcReplyTopic(pattern: GraphRpcPattern): string {
  return `${pattern}.reply`;
}

/**
 * Every topic the service produces to or consumes from. Created at start (3 partitions each) so the
 * first request after a fresh start does not hit a missing topic or an unassigned reply partition.
 */
export function allGraphTopics(): string[] {
  const rpc = Object.values(GRAPH_RPC_PATTERNS);
  return [...Object.values(GRAPH_EVENT_TOPICS), GRAPH_BLOCK_TOPIC, GRAPH_MUTE_TOPIC, ...rpc, ...rpc.map(graphRpcReplyTopic), USER_EVENTS_TOPIC];
}
