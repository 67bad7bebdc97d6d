import { GraphStats, Relationship } from '@graph/domain';
import { RelationshipDto, StatsDto } from '@graph/contracts';

/** The one JSON shape of a relationship, for REST and request-reply alike (docs/api.md). */
export function relationshipJson(r: Relationship): RelationshipDto {
  return {
    user_id: r.userId,
    following: r.following,
    followed_by: r.followedBy,
    mutual: r.mutual,
    requested: r.requested,
    requested_by: r.requestedBy,
    blocking: r.blocking,
    blocked_by: r.blockedBy,
    relationship: r.relationship,
  };
}

/** The one JSON shape of a user's counters, for REST and request-reply alike. */
export function statsJson(s: GraphStats): StatsDto {
  return {
    user_id: s.userId,
    follower_count: s.followerCount,
    following_count: s.followingCount,
    pending_requests_count: s.pendingRequestsCount,
  };
}
