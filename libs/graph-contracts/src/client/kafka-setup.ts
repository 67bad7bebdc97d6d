import type { Admin, Consumer } from 'kafkajs';

/**
 * Creates the topics that do not exist yet (`partitions` each). Safe to call from several processes
 * at once: a topic created meanwhile by another one is not an error.
 */
export async function ensureTopics(admin: Admin, topics: string[], partitions = 3): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
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
 * Where a consumer group that has never committed offsets on a topic should start: the end of
 * `latest` topics (requests and replies: old ones are of no use) or the beginning of `earliest`
 * topics (events that must not be missed). Read before the consumer starts and applied with
 * `seekTo` right after `run()`: a new group otherwise resolves "latest" only at its first fetch, and
 * a message sent in between is silently skipped, which is how the first request after a fresh start
 * gets lost. Topics the group already has offsets for are left alone (empty result).
 */
export async function freshGroupStartPoints(
  admin: Admin,
  groupId: string,
  topics: { latest?: string[]; earliest?: string[] },
): Promise<SeekPoint[]> {
  const plan = new Map<string, 'latest' | 'earliest'>();
  for (const t of topics.latest ?? []) plan.set(t, 'latest');
  for (const t of topics.earliest ?? []) plan.set(t, 'earliest');
  if (plan.size === 0) return [];
  const committed = await admin.fetchOffsets({ groupId, topics: [...plan.keys()] });
  const points: SeekPoint[] = [];
  for (const { topic, partitions } of committed) {
    if (!partitions.every((p) => p.offset === '-1')) continue;
    for (const o of await admin.fetchTopicOffsets(topic)) {
      points.push({ topic, partition: o.partition, offset: plan.get(topic) === 'latest' ? o.high : o.low });
    }
  }
  return points;
}

/** Applies start points to a running consumer (kafkajs accepts seeks only after run()). */
export function seekTo(consumer: Pick<Consumer, 'seek'>, points: SeekPoint[]): void {
  for (const p of points) consumer.seek(p);
}
