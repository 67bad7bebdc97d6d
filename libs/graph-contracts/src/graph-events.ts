/**
 * Payloads of the events on the graph.* topics. Ids are decimal strings; consumers de-duplicate on
 * event_id (delivery is at least once). New fields are added as optional and schema_version bumps.
 */
export const GRAPH_EVENT_SCHEMA_VERSION = 1;

interface GraphEventBase {
  /** UUID; the same for every redelivery of one change. */
  event_id: string;
  schema_version: number;
  /** ISO-8601, when the change committed (its transaction's time). */
  occurred_at: string;
  follower_id: string;
  following_id: string;
}

/** What the follower asked of a follow: notifications of new posts, reposts, languages (null: all). */
export interface FollowOptionsPayload {
  notify: boolean;
  reposts: boolean;
  languages: string[] | null;
}

export interface FollowEventPayload extends GraphEventBase {
  event_type: 'follow';
  status: 'accepted' | 'pending';
  /** `replayed`: restated by an admin replay; `imported`: loaded by a bulk import. */
  metadata: { is_mutual: boolean; replayed?: boolean; imported?: boolean };
  /** Added in #16 (older events lack it: read it as the defaults, notify false, reposts true, languages null). */
  options?: FollowOptionsPayload;
}

/** graph.follow_updated: the follower changed the options of a follow or pending request. */
export interface FollowUpdatedEventPayload extends GraphEventBase {
  event_type: 'follow_updated';
  /** The edge's state: options of a pending request survive its acceptance. */
  status: 'accepted' | 'pending';
  options: FollowOptionsPayload;
}

export interface UnfollowEventPayload extends GraphEventBase {
  event_type: 'unfollow';
  /** `expired` (a pending request older than the account's request_ttl_days) added in #16. */
  reason: 'unfollow' | 'removed' | 'blocked' | 'cancelled' | 'erased' | 'expired';
  /** What disappeared: an accepted follow or a pending request. */
  previous_status: 'accepted' | 'pending';
}

export interface FollowAcceptedEventPayload extends GraphEventBase {
  event_type: 'follow_request_accepted';
}

export interface FollowRejectedEventPayload extends GraphEventBase {
  event_type: 'follow_request_rejected';
}

export type GraphEventPayload =
  | FollowEventPayload
  | FollowUpdatedEventPayload
  | UnfollowEventPayload
  | FollowAcceptedEventPayload
  | FollowRejectedEventPayload;

/** graph.block: `blocker_id` blocked (`block`) or unblocked (`unblock`) `blocked_id`. */
export interface BlockEventPayload {
  event_id: string;
  schema_version: number;
  occurred_at: string;
  event_type: 'block' | 'unblock';
  blocker_id: string;
  blocked_id: string;
}

interface MuteEventBase {
  event_id: string;
  schema_version: number;
  occurred_at: string;
  muter_id: string;
  muted_id: string;
}

/** graph.mute: a mute began or its settings changed (the payload carries them all). */
export interface MuteEventPayload extends MuteEventBase {
  event_type: 'mute';
  /** Whether notifications from muted_id are hidden too. */
  notifications: boolean;
  /** all: posts and reposts are hidden; reposts: only reposts. */
  scope: 'all' | 'reposts';
  /** ISO-8601 end of a timed mute; null for a mute until undone. */
  expires_at: string | null;
}

/** graph.mute: a mute ended, undone by the muter (`unmute`), run out (`expired`), or an account erased (`erased`). */
export interface UnmuteEventPayload extends MuteEventBase {
  event_type: 'unmute';
  reason: 'unmute' | 'expired' | 'erased';
}

export type GraphMuteEventPayload = MuteEventPayload | UnmuteEventPayload;

/** Events consumed from user.events. */
export interface UserPrivacyChangedEvent {
  event_type: 'user.privacy_changed';
  event_id?: string;
  user_id: string | number;
  is_private: boolean;
}

export interface UserDeletedEvent {
  event_type: 'user.deleted';
  event_id?: string;
  user_id: string | number;
}

export type UserEvent = UserPrivacyChangedEvent | UserDeletedEvent;
