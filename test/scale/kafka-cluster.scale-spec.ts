import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { GraphClient } from '@graph/client';
import { GRAPH_EVENT_TOPICS, GRAPH_RPC_PATTERNS } from '@graph/contracts';
import { CollectedEvent, EventCollector, involving } from '../support/kafka-collector';
import { SpareKafkaCluster } from '../support/spare-services';
import { bearer, freshUserId, startTestApp } from '../support/test-app';
import { TimedCall, fullLoad, outageWindowMs, repeat, scalePorts } from './scale-load';

const G = '/api/v1/graph';

/**
 * Three KRaft brokers, topics with 3 copies and min.insync.replicas 2, and `kill -9` of the broker
 * that coordinates the consumer groups while follows and request-reply run: every follow succeeds,
 * every follow's event arrives (once per event_id, in order per follower), neither the server's
 * consumer nor GraphClient's reply consumer crashes, and request-reply comes back by itself.
 *
 * The issue's target is 5 s; the window is printed against it (docs/scaling.md has the figures per
 * run). The bound asserted is looser, 30 s (KAFKA_FAILOVER_BUDGET_MS): on combined broker+controller
 * nodes the killed broker is often the active controller too, and then a controller election comes
 * before the fencing, seconds more on a loaded 2-core machine (25.8 s once at load 18). SCALE_KAFKA_CONTROLLERS=1 runs the
 * brokers with a dedicated controller node (the layout docs/scaling.md recommends).
 */
const TARGET_MS = 5000;
const BUDGET_MS = Number(process.env.KAFKA_FAILOVER_BUDGET_MS ?? 30000);

describe('on a 3-broker Kafka cluster, through a broker failure', () => {
  let cluster: SpareKafkaCluster;
  let app: INestApplication;
  let client: GraphClient;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    cluster = await SpareKafkaCluster.start(3, scalePorts(0), Number(process.env.SCALE_KAFKA_CONTROLLERS ?? 0));
    app = await startTestApp({
      KAFKA_BROKERS: cluster.brokers,
      KAFKA_GROUP_ID: `scale-${randomUUID()}`,
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      // Sent outbox rows stay for the whole test: a failed run looks them up (whereAre).
      OUTBOX_RETENTION_SECONDS: '3600',
    });
    client = new GraphClient({
      brokers: cluster.brokers.split(','),
      groupId: `scale-client-${randomUUID()}`,
      timeoutMs: 1000,
      topics: { replicationFactor: 3, minInsyncReplicas: 2 },
    });
    await client.onModuleInit();
  }, 420000);
  afterAll(async () => {
    try {
      await client?.onModuleDestroy();
      await app?.close();
    } finally {
      await cluster?.stop();
    }
  }, 60000);

  it('creates its topics with 3 copies and min.insync.replicas 2', async () => {
    const admin = new Kafka({ brokers: cluster.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const topics = [GRAPH_EVENT_TOPICS.follow, GRAPH_RPC_PATTERNS.stats, `${GRAPH_RPC_PATTERNS.stats}.reply`];
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      for (const t of meta) for (const p of t.partitions) expect(p.replicas).toHaveLength(3);
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({ type: 2, name, configNames: ['min.insync.replicas'] })),
      });
      for (const r of configs.resources) expect(r.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue).toBe('2');
    } finally {
      await admin.disconnect();
    }
  });

  it('loses and reorders no event and answers requests again when a broker is killed', async () => {
    const followers = Array.from({ length: fullLoad ? 20 : 8 }, () => freshUserId());
    const targets = Array.from({ length: fullLoad ? 20 : 8 }, () => freshUserId());
    const calls: TimedCall[] = [];
    const rpc = repeat(async () => {
      const sentAt = Date.now();
      try {
        await client.stats([followers[0]!]);
        calls.push({ sentAt, doneAt: Date.now(), ok: true });
      } catch (error) {
        calls.push({ sentAt, doneAt: Date.now(), ok: false, error: (error as Error).message });
      }
    }, 25);

    const victim = await coordinatorNode(cluster);
    const controller = cluster.activeController();
    const clientCrashes: string[] = [];
    client.kafka.consumer.on(client.kafka.consumer.events.CRASH, ({ payload }) => clientCrashes.push(payload.error.message));
    const serverCrashesBefore = await serverConsumerCrashes();
    let killedAt = 0;
    let follows = 0;
    const total = followers.length * targets.length;
    for (const t of targets) {
      for (const f of followers) {
        const res = await http().post(`${G}/follow/${t}`).set(bearer(f));
        expect([res.status, res.body.status]).toEqual([200, 'accepted']);
        if (++follows === Math.floor(total / 3)) {
          cluster.kill(victim);
          killedAt = Date.now();
        }
      }
    }
    // Keep asking until well past the budget, so the window is measured, not cut short.
    while (Date.now() - killedAt < 35000) await new Promise((r) => setTimeout(r, 100));
    await rpc.stop();

    const windowMs = outageWindowMs(calls, killedAt);
    const failed = calls.filter((c) => !c.ok && c.doneAt >= killedAt).length;
    const serverCrashes = (await serverConsumerCrashes()) - serverCrashesBefore;
    process.stdout.write(
      `kafka failover: node ${victim + 1} killed (group coordinator${controller === victim ? ', active controller' : `; controller node ${controller === null ? '?' : controller + 1}`}); ` +
        `request-reply window ${windowMs} ms (target ${TARGET_MS} ms ${windowMs < TARGET_MS ? 'met' : 'missed'}), ${failed} of ${calls.length} calls failed; ` +
        `consumer crashes: server ${serverCrashes}, client ${clientCrashes.length}\n`,
    );
    expect({ serverCrashes, clientCrashes }).toEqual({ serverCrashes: 0, clientCrashes: [] });
    expect(windowMs).toBeLessThan(BUDGET_MS);

    const collector = await EventCollector.start(cluster.brokers, involving(followers), { from: 'earliest', topics: [GRAPH_EVENT_TOPICS.follow] });
    try {
      // On a timeout the assertions below say which follows' events are missing.
      const events = await collector.waitFor((e) => new Set(e.map((x) => x.payload.event_id)).size >= total, 60000).catch(() => collector.events);
      const missing = followers.flatMap((f) => targets.filter((t) => !events.some((e) => e.key === f && e.payload.following_id === t)).map((t) => [f, t]));
      if (missing.length > 0) process.stdout.write(`kafka failover: ${missing.length} events missing; where they are:\n${await whereAre(missing, events)}\n`);
      for (const f of followers) {
        const mine = events.filter((e) => e.key === f).map((e) => e.payload.following_id);
        expect({ follower: f, targets: [...new Set(mine)] }).toEqual({ follower: f, targets });
      }
      expect(new Set(events.map((e) => e.payload.event_id)).size).toBe(total);
    } finally {
      await collector.stop();
    }
    await cluster.start(victim);
  }, 240000);

  /**
   * For follows whose event the collector did not see: their outbox rows (sent or not, attempts,
   * last error), what a second, fresh reader of the topic finds for them, and the offsets of the
   * same follower's events around them (a gap in the offsets: the reader skipped a record; none:
   * the log never held it), so a failed run says whether the relay, Kafka or the reader lost them.
   */
  async function whereAre(pairs: string[][], seen: CollectedEvent[]): Promise<string> {
    const db = app.get(DataSource);
    const outbox = await db.query(
      `SELECT id, message_key, payload->>'following_id' AS following_id, payload->>'event_id' AS event_id, created_at, sent_at, attempts, last_error
         FROM outbox_events WHERE (message_key, payload->>'following_id') IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    const again = await EventCollector.start(cluster.brokers, involving(pairs.map((p) => p[0]!)), { from: 'earliest', topics: [GRAPH_EVENT_TOPICS.follow] });
    try {
      await new Promise((r) => setTimeout(r, 15000));
      const foundAgain = again.events.filter((e) => pairs.some(([f, t]) => e.key === f && e.payload.following_id === t));
      const neighbours = pairs.map(([f]) =>
        seen.filter((e) => e.key === f).map((e) => `${e.payload.following_id}@${e.partition}:${e.offset}`),
      );
      return JSON.stringify({ outbox, foundBySecondReader: foundAgain.map((e) => ({ event_id: e.payload.event_id, partition: e.partition, offset: e.offset })), neighbours }, null, 1);
    } finally {
      await again.stop();
    }
  }

  /** graph_kafka_consumer_crashes_total of the app, summed over its labels. */
  async function serverConsumerCrashes(): Promise<number> {
    const res = await http().get('/metrics').expect(200);
    return (res.text as string)
      .split('\n')
      .filter((line) => line.startsWith('graph_kafka_consumer_crashes_total'))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  }
});

/** The node leading __consumer_offsets: the coordinator of every group, the hardest one to lose. */
async function coordinatorNode(cluster: SpareKafkaCluster): Promise<number> {
  const admin = new Kafka({ brokers: cluster.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
    return topics[0]!.partitions[0]!.leader - 1;
  } finally {
    await admin.disconnect();
  }
}
