import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { GraphClient } from '@graph/client';
import { EventCollector, involving } from '../support/kafka-collector';
import { SpareKafka } from '../support/spare-services';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';

/**
 * On a broker of the test's own: the first request after a fresh start is answered, and a broker
 * outage delays events without failing a follow or losing an event.
 */
describe('Kafka from a fresh broker, and through an outage', () => {
  let kafka: SpareKafka;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    kafka = await SpareKafka.start();
    app = await startTestApp({ KAFKA_BROKERS: kafka.brokers, KAFKA_GROUP_ID: `outage-${randomUUID()}` });
  }, 120000);
  afterAll(async () => {
    await app?.close();
    await kafka?.stop();
  });

  it('answers the first request after a fresh start of broker and service', async () => {
    const client = new GraphClient({ brokers: [kafka.brokers], groupId: `fresh-${randomUUID()}`, timeoutMs: 20000 });
    await client.onModuleInit();
    try {
      const user = freshUserId();
      await expect(client.stats([user])).resolves.toEqual([{ user_id: user, follower_count: 0, following_count: 0, pending_requests_count: 0 }]);
    } finally {
      await client.onModuleDestroy();
    }
  }, 60000);

  it('keeps every follow working while Kafka is down and delivers all 100 events, in order per follower, when it returns', async () => {
    const followers = Array.from({ length: 10 }, () => freshUserId());
    const targets = Array.from({ length: 10 }, () => freshUserId());
    await kafka.stop();
    // 100 follows, interleaved across followers; every one succeeds with Kafka down (the write path
    // never calls Kafka: the events wait in the outbox).
    for (const t of targets) {
      for (const f of followers) {
        const res = await http().post(`${G}/follow/${t}`).set(bearer(f));
        expect([res.status, res.body.status]).toEqual([200, 'accepted']);
      }
    }
    const waiting = await http().get('/metrics').expect(200);
    // The events wait in the outbox meanwhile.
    expect(Number(/graph_outbox_backlog_events (\d+)/.exec(waiting.text)?.[1])).toBeGreaterThanOrEqual(100);

    await kafka.start();
    const collector = await EventCollector.start(kafka.brokers, involving(followers), { from: 'earliest' });
    try {
      const events = await collector.waitFor((e) => e.length >= 100, 90000);
      await new Promise((r) => setTimeout(r, 500));
      const follows = events.filter((e) => e.topic === 'graph.follow');
      expect(new Set(follows.map((e) => e.payload.event_id)).size).toBe(100);
      for (const f of followers) {
        const mine = follows.filter((e) => e.key === f).map((e) => e.payload.following_id);
        // De-duplicated on event_id (delivery is at least once), in the order the follows were made.
        expect([...new Set(mine)]).toEqual(targets);
      }
    } finally {
      await collector.stop();
    }
    // Request-reply is back too (the server's consumer rejoined after the outage).
    const client = new GraphClient({ brokers: [kafka.brokers], groupId: `after-${randomUUID()}`, timeoutMs: 30000 });
    await client.onModuleInit();
    try {
      await expect(client.isFollowing(followers[0]!, targets)).resolves.toEqual(targets);
    } finally {
      await client.onModuleDestroy();
    }
  }, 180000);
});
