import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Kafka, Producer, logLevel } from 'kafkajs';
import request from 'supertest';
import { USER_EVENTS_TOPIC } from '@graph/contracts';
import { testInfra } from '../setup/test-infra';
import { EventCollector, involving } from '../support/kafka-collector';
import { bearer, freshUserId, startTestApp, testConfig } from '../support/test-app';
import { eventually } from '../support/eventually';

const G = '/api/v1/graph';

describe('user.events consumer', () => {
  let app: INestApplication;
  let producer: Producer;
  const http = () => request(app.getHttpServer());
  const send = (value: unknown, key = 'k') =>
    producer.send({ topic: USER_EVENTS_TOPIC, messages: [{ key, value: typeof value === 'string' ? value : JSON.stringify(value) }] });

  beforeAll(async () => {
    app = await startTestApp();
    producer = new Kafka({ clientId: 'test-accounts', brokers: testInfra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
  });

  it('user.privacy_changed takes effect as PUT /settings does, pending requests accepted on going public', async () => {
    const owner = freshUserId();
    const fan = freshUserId();
    await send({ event_type: 'user.privacy_changed', event_id: randomUUID(), user_id: owner, is_private: true }, owner);
    await eventually(
      async () => (await http().get(`${G}/settings`).set(bearer(owner))).body,
      (b) => b.is_private === true,
    );
    expect((await http().post(`${G}/follow/${owner}`).set(bearer(fan)).expect(200)).body.status).toBe('pending');

    const collector = await EventCollector.start(testInfra.kafkaBrokers, involving([owner]));
    try {
      // Integer ids are accepted as in every payload.
      await send({ event_type: 'user.privacy_changed', user_id: Number(owner), is_private: false }, owner);
      const events = await collector.waitFor((e) => e.some((x) => x.payload.event_type === 'follow_request_accepted'));
      expect(events.find((x) => x.payload.event_type === 'follow_request_accepted')!.payload).toMatchObject({ follower_id: fan, following_id: owner });
      const stats = (await http().get(`${G}/stats/${owner}`).set(bearer(fan)).expect(200)).body;
      expect(stats).toMatchObject({ follower_count: 1, pending_requests_count: 0 });
    } finally {
      await collector.stop();
    }
  });

  it('user.deleted erases the user both ways with unfollow events (reason erased); a replay changes and emits nothing; bad messages are skipped', async () => {
    const gone = freshUserId();
    const [a, b, c] = [freshUserId(), freshUserId(), freshUserId()];
    await http().post(`${G}/follow/${gone}`).set(bearer(a)).expect(200);
    await http().post(`${G}/follow/${gone}`).set(bearer(b)).expect(200);
    await http().post(`${G}/follow/${c}`).set(bearer(gone)).expect(200);
    const collector = await EventCollector.start(testInfra.kafkaBrokers, involving([gone]));
    try {
      // Garbage first: not JSON, no user id, an unknown type. None may stop the consumer.
      await send('not json at all');
      await send({ event_type: 'user.deleted', user_id: 'abc' });
      await send({ event_type: 'user.renamed', user_id: gone });
      await send({ event_type: 'user.deleted', event_id: randomUUID(), user_id: gone }, gone);
      const events = await collector.waitFor((e) => e.length >= 3);
      expect(events.map((e) => [e.topic, e.payload.follower_id, e.payload.following_id, (e.payload as { reason?: string }).reason]).sort()).toEqual(
        [
          ['graph.unfollow', a, gone, 'erased'],
          ['graph.unfollow', b, gone, 'erased'],
          ['graph.unfollow', gone, c, 'erased'],
        ].sort(),
      );
      const stats = (await http().get(`${G}/stats/${c}`).set(bearer(a)).expect(200)).body;
      expect(stats.follower_count).toBe(0);
      expect((await http().get(`${G}/stats/${a}`).set(bearer(a)).expect(200)).body.following_count).toBe(0);
      expect((await http().get(`${G}/stats/${gone}`).set(bearer(a)).expect(200)).body).toMatchObject({ follower_count: 0, following_count: 0 });

      // Redelivery of the same event: nothing changes and nothing more is emitted.
      await send({ event_type: 'user.deleted', event_id: randomUUID(), user_id: gone }, gone);
      // A later event of the same key (same partition, applied in order) proves the replay was consumed.
      await send({ event_type: 'user.privacy_changed', user_id: gone, is_private: true }, gone);
      await eventually(
        async () => (await http().get(`${G}/settings`).set(bearer(gone))).body,
        (body) => body.is_private === true,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(collector.events).toHaveLength(3);
    } finally {
      await collector.stop();
    }
  });

  it('commits its position on user.events about once a second, so a restart does not replay what was handled', async () => {
    const user = freshUserId();
    const [sent] = await send({ event_type: 'user.privacy_changed', user_id: user, is_private: true }, user);
    // Nest names the server's group after the configured one.
    const groupId = `${(testConfig().kafka as { groupId: string }).groupId}-server`;
    const admin = new Kafka({ clientId: 'test-offsets', brokers: testInfra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const committed = await eventually(
        async () => (await admin.fetchOffsets({ groupId, topics: [USER_EVENTS_TOPIC] }))[0]!.partitions.find((p) => p.partition === sent!.partition)!.offset,
        (offset) => BigInt(offset) > BigInt(sent!.baseOffset!),
        10000,
      );
      expect(BigInt(committed)).toBe(BigInt(sent!.baseOffset!) + 1n);
    } finally {
      await admin.disconnect();
    }
  });
});
