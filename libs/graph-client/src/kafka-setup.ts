import type { Admin, Consumer } from 'kafkajs';

/**
 * Creates the topics that do not exist yet (`partitions` each). Safe to call from several processes
 * at once: a topic created meanwhile by another one is not an error.
 */
export async function ensureTopics(admin: Admin, topics: string[], partitions = 3): Promise<string[]> {
  const existing = new Set(await retrying(() => admin.listTopics()));
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: partitions })) });
  } catch (error) {
    const e = error as { type?: string; errors?: { type?: string }[] };
    const alreadyExists = e.type === 'TOPIC_ALREADY_EXISTS' || (e.errors?.length && e.errors.every((x) => x.type === 'TOPIC_ALREADY_EXISTS'));
    if (!alreadyExists) throw error;
  }
  return missing;
}

export interface SeekPoint {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Where a consumer group that has never committed offsets on a topic should start, read before the
 * consumer starts and applied with `seekTo` right after `run()`:
 * - `latest` topics at their end (reply topics: nothing before our own first request is ours);
 * - `recent` topics at the first message newer than `recentMs` (request topics: a request sent
 *   just before the server's very first start is still answered, stale ones are not replayed);
 * - `earliest` topics at their beginning (events that must not be missed).
 * Without this a new group resolves "latest" only at its first fetch, and a message sent in between
 * is silently skipped, which is how the first request after a fresh start gets lost. Topics the
 * group already has offsets for are left alone (no start point).
 */
export async function freshGroupStartPoints(
  admin: Admin,
  groupId: string,
  topics: { latest?: string[]; recent?: string[]; earliest?: string[]; recentMs?: number },
): Promise<SeekPoint[]> {
  const plan = new Map<string, 'latest' | 'recent' | 'earliest'>();
  for (const t of topics.latest ?? []) plan.set(t, 'latest');
  for (const t of topics.recent ?? []) plan.set(t, 'recent');
  for (const t of topics.earliest ?? []) plan.set(t, 'earliest');
  if (plan.size === 0) return [];
  const committed = await retrying(() => admin.fetchOffsets({ groupId, topics: [...plan.keys()] }));
  const since = Date.now() - (topics.recentMs ?? 60000);
  const points: SeekPoint[] = [];
  for (const { topic, partitions } of committed) {
    if (!partitions.every((p) => p.offset === '-1')) continue;
    const from = plan.get(topic);
    const offsets =
      from === 'recent'
        ? await retrying(() => admin.fetchTopicOffsetsByTimestamp(topic, since))
        : (await retrying(() => admin.fetchTopicOffsets(topic))).map((o) => ({ partition: o.partition, offset: from === 'latest' ? o.high : o.low }));
    for (const o of offsets) points.push({ topic, partition: o.partition, offset: o.offset });
  }
  return points;
}

/** Applies start points to a running consumer (kafkajs accepts seeks only after run()). */
export function seekTo(consumer: Pick<Consumer, 'seek'>, points: SeekPoint[]): void {
  for (const p of points) consumer.seek(p);
}

/**
 * Retries what a broker that just started (or moved a group coordinator) refuses for a moment:
 * kafkajs marks those errors retriable but its admin gives up on some of them at once.
 */
async function retrying<T>(work: () => Promise<T>, attempts = 20, delayMs = 250): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (error) {
      if (i >= attempts || (error as { retriable?: boolean }).retriable !== true) throw error;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
