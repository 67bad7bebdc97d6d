import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { BlockEvent, GraphEvent, MuteEvent } from '@graph/domain';
import {
  BlockEventPayload,
  GRAPH_BLOCK_TOPIC,
  GRAPH_EVENT_SCHEMA_VERSION,
  GRAPH_EVENT_TOPICS,
  GRAPH_MUTE_TOPIC,
  GraphEventPayload,
  GraphMuteEventPayload,
} from '@graph/contracts';

export interface OutboxRow {
  eventId: string;
  topic: string;
  /** Partition key: the acting user's id (follower, muter), so one user's events stay in order. */
  key: string;
  payload: GraphEventPayload | GraphMuteEventPayload | BlockEventPayload;
}

/** The Kafka message a domain event becomes (docs/kafka.md's topics and payloads). */
export function toOutboxRow(event: GraphEvent, occurredAt: Date): OutboxRow {
  const base = {
    event_id: randomUUID(),
    schema_version: GRAPH_EVENT_SCHEMA_VERSION,
    occurred_at: occurredAt.toISOString(),
    follower_id: event.followerId,
    following_id: event.followingId,
  };
  let topic: string;
  let payload: GraphEventPayload;
  switch (event.type) {
    case 'follow':
      topic = GRAPH_EVENT_TOPICS.follow;
      payload = { ...base, event_type: 'follow', status: event.status, metadata: { is_mutual: event.isMutual }, options: { ...event.options } };
      break;
    case 'follow_updated':
      topic = GRAPH_EVENT_TOPICS.followUpdated;
      payload = { ...base, event_type: 'follow_updated', status: event.status, options: { ...event.options } };
      break;
    case 'unfollow':
      topic = GRAPH_EVENT_TOPICS.unfollow;
      payload = { ...base, event_type: 'unfollow', reason: event.reason, previous_status: event.previousStatus };
      break;
    case 'follow_request_accepted':
      topic = GRAPH_EVENT_TOPICS.followAccepted;
      payload = { ...base, event_type: 'follow_request_accepted' };
      break;
    case 'follow_request_rejected':
      topic = GRAPH_EVENT_TOPICS.followRejected;
      payload = { ...base, event_type: 'follow_request_rejected' };
      break;
  }
  return { eventId: base.event_id, topic, key: event.followerId, payload };
}

/** The graph.block message a block event becomes (key = blocker_id). */
export function toBlockOutboxRow(event: BlockEvent, occurredAt: Date): OutboxRow {
  const payload: BlockEventPayload = {
    event_id: randomUUID(),
    schema_version: GRAPH_EVENT_SCHEMA_VERSION,
    occurred_at: occurredAt.toISOString(),
    event_type: event.type,
    blocker_id: event.blockerId,
    blocked_id: event.blockedId,
  };
  return { eventId: payload.event_id, topic: GRAPH_BLOCK_TOPIC, key: event.blockerId, payload };
}

/** The graph.mute message a mute event becomes (key = muter_id). */
export function toMuteOutboxRow(event: MuteEvent, occurredAt: Date): OutboxRow {
  const base = {
    event_id: randomUUID(),
    schema_version: GRAPH_EVENT_SCHEMA_VERSION,
    occurred_at: occurredAt.toISOString(),
    muter_id: event.muterId,
    muted_id: event.mutedId,
  };
  const payload: GraphMuteEventPayload =
    event.type === 'mute'
      ? { ...base, event_type: 'mute', notifications: event.notifications, scope: event.scope, expires_at: event.expiresAt?.toISOString() ?? null }
      : { ...base, event_type: 'unmute', reason: event.reason };
  return { eventId: base.event_id, topic: GRAPH_MUTE_TOPIC, key: event.muterId, payload };
}

/**
 * Tells the outbox relay of this process that events were committed, so it publishes at once.
 * In process rather than a Postgres NOTIFY: a transaction that NOTIFYs holds a database-wide lock
 * through its commit, which serialised every follow behind one WAL flush (measured: ~450 follows/s).
 * Relays of other instances find the rows by their poll (OUTBOX_POLL_INTERVAL_MS).
 */
export class OutboxWakeup {
  private readonly listeners = new Set<() => void>();

  /** Registers `listener`; returns the function that unregisters it. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}

/** Transactions (by their EntityManager) that wrote outbox rows. */
const managersWithEvents = new WeakSet<EntityManager>();

/** Whether the transaction of `manager` wrote any outbox row (checked after its commit). */
export function wroteOutboxEvents(manager: EntityManager): boolean {
  return managersWithEvents.has(manager);
}

/**
 * Writes the events to the outbox inside the caller's transaction (one multi-row INSERT), so they
 * commit or roll back with the graph change that caused them. Order of `events` is kept in `id`.
 */
export async function insertOutboxEvents(manager: EntityManager, events: GraphEvent[]): Promise<void> {
  const occurredAt = new Date();
  await insertOutboxRows(manager, events.map((e) => toOutboxRow(e, occurredAt)));
}

/** As insertOutboxEvents, for rows already made (mute events, say). */
export async function insertOutboxRows(manager: EntityManager, rows: OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  const params: unknown[] = [];
  const values = rows.map((r) => {
    params.push(r.eventId, r.topic, r.key, JSON.stringify(r.payload));
    const n = params.length;
    return `($${n - 3}::uuid, $${n - 2}, $${n - 1}, $${n}::jsonb)`;
  });
  await manager.query(`INSERT INTO outbox_events (event_id, topic, message_key, payload) VALUES ${values.join(', ')}`, params);
  managersWithEvents.add(manager);
}

/**
 * One set-based INSERT of a graph.follow outbox row per edge that `edgesSql` selects (columns
 * follower_id, following_id, status), in the payload shape toOutboxRow writes, with
 * `metadata[flag] = true`. For the bulk paths (import, replay), where one row per statement
 * round trip would dominate. Returns the statement; its row count is the number of events.
 */
export function followEventsFromEdgesSql(edgesSql: string, flag: 'imported' | 'replayed'): string {
  return `
    INSERT INTO outbox_events (event_id, topic, message_key, payload)
    SELECT u.id, '${GRAPH_EVENT_TOPICS.follow}', e.follower_id::text,
           jsonb_build_object(
             'event_id', u.id, 'event_type', 'follow', 'schema_version', ${GRAPH_EVENT_SCHEMA_VERSION},
             'occurred_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'follower_id', e.follower_id::text, 'following_id', e.following_id::text, 'status', e.status,
             'metadata', jsonb_build_object(
               'is_mutual', EXISTS (SELECT 1 FROM follows r
                                     WHERE r.follower_id = e.following_id AND r.following_id = e.follower_id AND r.status = 'accepted'),
               '${flag}', true),
             'options', jsonb_build_object('notify', e.notify, 'reposts', e.show_reposts, 'languages', to_jsonb(e.languages)))
      FROM (${edgesSql}) e
      CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id, e.follower_id AS f) u
     ORDER BY e.follower_id, e.following_id`;
}
