import { Logger } from '@nestjs/common';
import { KafkaHeaders, KafkaOptions, ServerKafka } from '@nestjs/microservices';
import type { EachMessagePayload } from 'kafkajs';

/**
 * ServerKafka that answers requests concurrently. Nest's server awaits each handler inside kafkajs'
 * eachMessage, so requests on one partition wait for each other, and kafkajs fetches again only
 * once every batch of the last fetch is done: at a few hundred requests/s, requests queued for tens
 * of ms behind others before their own handler ran. Requests (a correlation id and a reply topic)
 * need no order, so they are started and left running, up to `maxInFlight` at once (then the
 * consumer waits for a slot: backpressure instead of unbounded memory). Events (user.events) keep
 * Nest's behaviour: one at a time per partition, offset committed after the handler.
 *
 * A request's offset may be committed before its reply is sent, so a crash loses the requests in
 * flight; their callers time out (request-reply is at most once either way: a reply can be lost too).
 *
 * Requests older than `staleAfterMs` are dropped unanswered: their callers have timed out, and after
 * an outage or a lagging group a backlog of dead requests would otherwise delay the live ones.
 */
export class ConcurrentServerKafka extends ServerKafka {
  private readonly rpcLogger = new Logger('KafkaServer');
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiting: (() => void)[] = [];

  private dropped = 0;

  constructor(
    options: NonNullable<KafkaOptions['options']>,
    private readonly maxInFlight = 64,
    private readonly staleAfterMs = 30000,
  ) {
    super(options);
  }

  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    const headers = payload.message.headers ?? {};
    if (headers[KafkaHeaders.CORRELATION_ID] === undefined || headers[KafkaHeaders.REPLY_TOPIC] === undefined) {
      return super.handleMessage(payload);
    }
    const age = Date.now() - Number(payload.message.timestamp);
    if (age > this.staleAfterMs) {
      if (this.dropped++ % 1000 === 0) this.rpcLogger.warn(`dropping requests older than ${this.staleAfterMs} ms (their callers gave up); ${this.dropped} so far`);
      return;
    }
    while (this.inFlight.size >= this.maxInFlight) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const work: Promise<void> = super
      .handleMessage(payload)
      .catch((error: unknown) => this.rpcLogger.error(`request on ${payload.topic} failed: ${(error as Error)?.message ?? String(error)}`))
      .finally(() => {
        this.inFlight.delete(work);
        this.waiting.shift()?.();
      });
    this.inFlight.add(work);
  }

  /** Lets the requests in flight send their replies (a few seconds at most) before disconnecting. */
  override async close(): Promise<void> {
    if (this.inFlight.size > 0) {
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, 5000).unref())]);
    }
    await super.close();
  }
}
