import { INestApplication } from '@nestjs/common';
import { Kafka, Producer, logLevel } from 'kafkajs';
import request from 'supertest';
import { USER_EVENTS_TOPIC } from '@graph/contracts';
import { testInfra } from '../setup/test-infra';
import { SparePostgres } from '../support/spare-services';
import { bearer, freshUserId, startTestApp } from '../support/test-app';
import { eventually } from '../support/eventually';

const gauge = (text: string, name: string): number => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

/**
 * Issue #17: a consumer that gets nowhere while messages wait is visible (consumer lag alone can
 * read as if all were well). The consumer is made to stall for real: its database (a spare
 * PostgreSQL of the test's own) is stopped while a user.events message waits, so every delivery
 * fails with UNAVAILABLE and is redelivered.
 */
describe('a Kafka consumer that stops making progress', () => {
  let pg: SparePostgres;
  let app: INestApplication;
  let producer: Producer;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    pg = await SparePostgres.start();
    app = await startTestApp({ DATABASE_URL: pg.url, MIGRATIONS_RUN: 'true', KAFKA_CONSUMER_STALLED_AFTER_SECONDS: '2' });
    producer = new Kafka({ clientId: 'test-stall', brokers: testInfra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  }, 120000);

  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
    await pg?.dispose();
  });

  it('is reported stalled in /health/ready and the metric while its message waits, and ok again once it is applied', async () => {
    const user = freshUserId();
    const ready = async () => (await http().get('/health/ready')).body as { kafka_consumer?: { status: string; stalled_seconds: number } };
    expect((await ready()).kafka_consumer).toEqual({ status: 'ok', stalled_seconds: 0 });

    await pg.stop();
    await producer.send({ topic: USER_EVENTS_TOPIC, messages: [{ key: user, value: JSON.stringify({ event_type: 'user.privacy_changed', user_id: user, is_private: true }) }] });
    const stalled = await eventually(ready, (b) => b.kafka_consumer?.status === 'stalled', 60000);
    expect(stalled.kafka_consumer!.stalled_seconds).toBeGreaterThanOrEqual(2);
    const metrics = (await http().get('/metrics')).text;
    expect(gauge(metrics, 'graph_kafka_consumer_stalled_seconds')).toBeGreaterThanOrEqual(2);
    // The message is still waiting: delivered again and again, never committed.
    expect(gauge(metrics, 'graph_kafka_consumer_lag_messages{topic="user.events"}')).toBeGreaterThanOrEqual(1);

    await pg.start();
    await eventually(ready, (b) => b.kafka_consumer?.status === 'ok' && b.kafka_consumer.stalled_seconds === 0, 60000);
    expect(gauge((await http().get('/metrics')).text, 'graph_kafka_consumer_stalled_seconds')).toBe(0);
    // Recovered by applying the message it was stuck on, not by dropping it.
    expect((await http().get('/api/v1/graph/settings').set(bearer(user)).expect(200)).body.is_private).toBe(true);
  }, 180000);
});
