import { GraphStats, Mute, VisibleStats } from '@graph/domain';
import { ViewerRelationship } from '@graph/application';
import { MutedEntryDto, RelationshipDto, StatsDto } from '@graph/contracts';

/** The one JSON shape of a relationship, for REST and request-reply alike (docs/api.md). */
export function relationshipJson(r: ViewerRelationship): RelationshipDto {
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
    notifying: r.notifying,
    showing_reposts: r.showingReposts,
    languages: r.languages,
    muting: r.muting,
    muting_notifications: r.mutingNotifications,
    muting_expires_at: r.mutingExpiresAt?.toISOString() ?? null,
  };
}

/** The one JSON shape of a mute's settings, for GET /mutes and graph.rpc.muted_ids. */
export function muteJson(m: Mute): MutedEntryDto {
  return { user_id: m.mutedId, scope: m.scope, notifications: m.notifications, expires_at: m.expiresAt?.toISOString() ?? null };
}

/** The one JSON shape of a user's counters, for REST (hidden counts null) and request-reply (exact) alike. */
export function statsJson(s: GraphStats): StatsDto;
export function statsJson(s: VisibleStats): { [K in keyof StatsDto]: K extends 'user_id' ? string : number | null };
export function statsJson(s: VisibleStats): { [K in keyof StatsDto]: K extends 'user_id' ? string : number | null } {
  return {
    user_id: s.userId,
    follower_count: s.followerCount,
    following_count: s.followingCount,
    pending_requests_count: s.pendingRequestsCount,
  };
}
