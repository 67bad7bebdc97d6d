import { logLevel, LogEntry, logCreator } from 'kafkajs';

export type KafkaLogSink = (level: 'error' | 'warn' | 'info', message: string) => void;

/** First repeat window; each repeat that is let through doubles it, up to the last. */
const FIRST_WINDOW_MS = 1000;
const LAST_WINDOW_MS = 60000;

/**
 * kafkajs logs every failed connection attempt of every client (admin, producer, consumer), about
 * twice per attempt, with its own fast retries: several lines a second while a broker is down. This
 * lets the first line of a kind through, then the same line again only after a window that doubles
 * each time (1 s, 2 s, 4 s … 60 s), so a broker that stays down logs about one line per backoff
 * step, saying how many were held back. A line unseen for a whole last window starts over.
 */
export class KafkaLogThrottle {
  private readonly seen = new Map<string, { nextAt: number; windowMs: number; held: number; lastAt: number }>();

  constructor(
    private readonly sink: KafkaLogSink,
    private readonly now: () => number = Date.now,
  ) {}

  log(level: 'error' | 'warn' | 'info', message: string): void {
    const key = `${level} ${kindOf(message)}`;
    const t = this.now();
    const entry = this.seen.get(key);
    if (entry && t - entry.lastAt < LAST_WINDOW_MS) {
      entry.lastAt = t;
      if (t < entry.nextAt) {
        entry.held += 1;
        return;
      }
      const held = entry.held;
      entry.held = 0;
      entry.windowMs = Math.min(entry.windowMs * 2, LAST_WINDOW_MS);
      entry.nextAt = t + entry.windowMs;
      this.sink(level, held > 0 ? `${message} (${held} more like it held back)` : message);
      return;
    }
    if (this.seen.size > 1000) this.seen.clear();
    this.seen.set(key, { nextAt: t + FIRST_WINDOW_MS, windowMs: FIRST_WINDOW_MS, held: 0, lastAt: t });
    this.sink(level, message);
  }

  /** A kafkajs logCreator writing through this throttle. */
  logCreator(): logCreator {
    return () =>
      ({ namespace, level, log: entry }: LogEntry) =>
        this.log(level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'info', `kafka ${namespace}: ${entry.message}`);
  }
}

/**
 * What a line says with its namespace and the wrapping of the same error removed: the BrokerPool's
 * "Failed to connect to seed broker …: <error>" and the Connection's "Connection error: <error>"
 * report one failed attempt, so they count as one kind.
 */
function kindOf(message: string): string {
  const error = /(?:Connection error|trying another broker from the list): (.*)$/.exec(message);
  return error ? `connection ${error[1]}` : message;
}
