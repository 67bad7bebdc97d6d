import { createRequire } from 'node:module';

/**
 * Keeps a kafkajs consumer's group member id across kafkajs' own restart of a crashed consumer.
 *
 * When the broker coordinating a group is killed, kafkajs' heartbeats and fetches fail until its
 * retries run out, the consumer crashes, and kafkajs restarts it with a new ConsumerGroup whose
 * member id is empty. The crashed member could not leave (its coordinator was dead), so the new
 * coordinator loads it from `__consumer_offsets` and holds the rebalance until that member's session
 * times out: ~10 s, the bulk of the 16–21 s request-reply outage measured (docs/scaling.md). Joining
 * again with the old member id is a known member rejoining, and the rebalance completes at once. A
 * member id that is no longer known is answered UNKNOWN_MEMBER_ID, on which kafkajs clears it and
 * joins as a new member: nothing worse than today.
 *
 * kafkajs 2.2.4 (unmaintained since 2023, so these internals stay put) has neither an option for
 * this nor static membership. The restarted ConsumerGroup shares the consumer's instrumentation
 * emitter, which is the key the id is kept under. Installed once per process; idempotent.
 */
export function keepKafkaMemberIdAcrossRestarts(): boolean {
  if (installed !== null) return installed;
  const ConsumerGroup = loadConsumerGroup();
  const proto = ConsumerGroup?.prototype as ConsumerGroupInternals | undefined;
  if (!proto || typeof proto.joinAndSync !== 'function' || typeof proto.leave !== 'function') return (installed = false);
  const memberIds = new WeakMap<object, string>();
  const joinAndSync = proto.joinAndSync;
  const leave = proto.leave;
  proto.joinAndSync = async function (this: ConsumerGroupInternals) {
    const kept = memberIds.get(this.instrumentationEmitter);
    if (!this.memberId && kept) this.memberId = kept;
    const result = await joinAndSync.call(this);
    if (this.memberId) memberIds.set(this.instrumentationEmitter, this.memberId);
    return result;
  };
  proto.leave = async function (this: ConsumerGroupInternals) {
    await leave.call(this);
    // Left cleanly: the id is gone from the group, a later start joins as a new member.
    memberIds.delete(this.instrumentationEmitter);
  };
  return (installed = true);
}

let installed: boolean | null = null;

interface ConsumerGroupInternals {
  memberId: string | null;
  instrumentationEmitter: object;
  joinAndSync(): Promise<unknown>;
  leave(): Promise<unknown>;
}

/** kafkajs' internal ConsumerGroup class, which both failover patches change (undefined if it moved). */
export function loadConsumerGroup(): { prototype: unknown } | undefined {
  try {
    const require = createRequire(__filename);
    return require('kafkajs/src/consumer/consumerGroup') as { prototype: unknown };
  } catch {
    return undefined;
  }
}
