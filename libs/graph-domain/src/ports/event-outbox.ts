import { UserId } from '../model/user-id';

/** State of the event outbox: what is waiting to reach Kafka, and how the relay is doing. */
export interface OutboxBacklog {
  /** Events committed but not yet acknowledged by Kafka. */
  pending: number;
  /** Age of the oldest pending event in seconds; null when nothing is pending. */
  oldestPendingAgeSeconds: number | null;
  /** Pending events whose last publish attempt failed. */
  failing: number;
  /** The most recent publish error recorded on a pending event, if any. */
  lastError: string | null;
  /** Whether a relay runs in this process (false when Kafka is not configured). */
  relayRunning: boolean;
  /** Events this process published since it started. */
  published: number;
  /** Failed publish attempts (batches) of this process since it started. */
  publishErrors: number;
}

/** A pending event whose last publish attempt failed. */
export interface FailingEvent {
  eventId: string;
  topic: string;
  key: string;
  attempts: number;
  lastError: string;
  createdAt: Date;
}

/**
 * The transactional outbox seen from the admin side. Events are written by the write adapter in the
 * transaction of each change and relayed to Kafka at least once, in order per follower.
 */
export abstract class EventOutbox {
  /** Current figures; reading them never blocks the relay. */
  abstract backlog(): Promise<OutboxBacklog>;

  /** Up to `limit` failing events, oldest first. */
  abstract failingEvents(limit: number): Promise<FailingEvent[]>;

  /**
   * Forgets the failure state of pending events (all, or the one with `eventId`) and wakes the relay
   * so it retries at once instead of waiting out its backoff. Returns how many failing events were
   * reset. Nothing is ever dropped.
   */
  abstract retryFailed(eventId?: string): Promise<number>;

  /**
   * Writes a fresh graph.follow event (new event_id, `metadata.replayed: true`) for each current
   * edge of `userId`, either way, made at or after `since`, for a consumer that lost data. Sent
   * events are pruned after the retention, so a replay restates the current graph rather than
   * resending history: an edge removed since is not replayed (its unfollow was its last word).
   * Returns the number of events written.
   */
  abstract replayUserEvents(userId: UserId, since: Date): Promise<number>;
}
