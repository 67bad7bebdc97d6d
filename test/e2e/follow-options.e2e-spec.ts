import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { GraphClient } from '@graph/client';
import { GRAPH_EVENT_TOPICS } from '@graph/contracts';
import { testInfra } from '../setup/test-infra';
import { EventCollector, involving } from '../support/kafka-collector';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';

/**
 * Events in the order they happened. Kafka orders one key's events within a topic only; these come
 * from several topics, and the relay may send them in one batch, so arrival order says nothing.
 * The calls that made them were sequential, so occurred_at tells.
 */
function byOccurrence<T extends { payload: { occurred_at: string } }>(events: T[]): T[] {
  return [...events].sort((x, y) => Date.parse(x.payload.occurred_at) - Date.parse(y.payload.occurred_at));
}

describe('follow options over HTTP and Kafka', () => {
  let app: INestApplication;
  let client: GraphClient;
  let events: EventCollector;
  const [fan, star, priv, other] = [freshUserId(), freshUserId(), freshUserId(), freshUserId()];
  const http = () => request(app.getHttpServer());
  const rel = async (viewer: string, id: string) => (await http().get(`${G}/relationship/${id}`).set(bearer(viewer)).expect(200)).body;

  beforeAll(async () => {
    app = await startTestApp();
    events = await EventCollector.start(testInfra.kafkaBrokers, involving([fan, star, priv, other]));
    client = new GraphClient({ brokers: testInfra.kafkaBrokers.split(','), groupId: `test-options-${randomUUID()}`, timeoutMs: 10000 });
    await client.onModuleInit();
  });
  afterAll(async () => {
    await client?.onModuleDestroy();
    await events?.stop();
    await app?.close();
  });

  it('a plain follow has the defaults; options given on the first call are kept and sent with the follow event', async () => {
    await http().post(`${G}/follow/${star}`).set(bearer(other)).expect(200);
    expect(await rel(other, star)).toMatchObject({ following: true, notifying: false, showing_reposts: true, languages: null });
    const res = await http().post(`${G}/follow/${star}`).set(bearer(fan)).send({ notify: true, languages: ['EN', 'de'] }).expect(200);
    expect(res.body).toMatchObject({ success: true, status: 'accepted' });
    expect(await rel(fan, star)).toMatchObject({ notifying: true, showing_reposts: true, languages: ['de', 'en'] });
    // The followed account's view shows none of the follower's options.
    expect(await rel(star, fan)).toMatchObject({ followed_by: true, notifying: false, showing_reposts: false, languages: null });
    await events.waitFor((e) => e.some((x) => x.payload.event_type === 'follow' && x.payload.follower_id === fan));
    expect(events.events.find((x) => x.payload.follower_id === fan)!.payload).toMatchObject({
      event_type: 'follow',
      options: { notify: true, reposts: true, languages: ['de', 'en'] },
    });
  });

  it('a repeat with other options updates them: 200, a graph.follow_updated event, no new follow event, counts unchanged', async () => {
    const res = await http().post(`${G}/follow/${star}`).set(bearer(fan)).send({ reposts: false, languages: null }).expect(200);
    expect(res.body).toMatchObject({ status: 'accepted', message: expect.stringContaining('updated') });
    expect(await rel(fan, star)).toMatchObject({ notifying: true, showing_reposts: false, languages: null });
    // Same options again, or none: nothing changes.
    await http().post(`${G}/follow/${star}`).set(bearer(fan)).send({ reposts: false }).expect(200);
    await http().post(`${G}/follow/${star}`).set(bearer(fan)).expect(200);
    expect((await http().get(`${G}/stats/${star}`).set(bearer(fan)).expect(200)).body).toMatchObject({ follower_count: 2 });
    await events.waitFor((e) => e.some((x) => x.topic === GRAPH_EVENT_TOPICS.followUpdated && x.payload.follower_id === fan));
    const mine = byOccurrence(events.events.filter((x) => x.payload.follower_id === fan));
    expect(mine.map((x) => x.topic)).toEqual([GRAPH_EVENT_TOPICS.follow, GRAPH_EVENT_TOPICS.followUpdated]);
    expect(mine[1]!.payload).toMatchObject({ event_type: 'follow_updated', status: 'accepted', following_id: star, options: { notify: true, reposts: false, languages: null } });
    expect(mine[1]!.key).toBe(fan);
  });

  it('options of a pending request survive its acceptance', async () => {
    await http().put(`${G}/settings`).set(bearer(priv)).send({ is_private: true }).expect(200);
    const asked = await http().post(`${G}/follow/${priv}`).set(bearer(fan)).send({ notify: true }).expect(200);
    expect(asked.body).toMatchObject({ success: true, status: 'pending' });
    await http().post(`${G}/follow/${priv}`).set(bearer(fan)).send({ languages: ['fr'] }).expect(200);
    expect(await rel(fan, priv)).toMatchObject({ requested: true, notifying: true, languages: ['fr'] });
    await http().post(`${G}/requests/${fan}`).set(bearer(priv)).send({ action: 'accept' }).expect(200);
    expect(await rel(fan, priv)).toMatchObject({ following: true, notifying: true, showing_reposts: true, languages: ['fr'] });
  });

  it('a pending request\'s options change is a graph.follow_updated with status pending, keyed by the follower; its acceptance is no update', async () => {
    await events.waitFor((e) => e.some((x) => x.payload.event_type === 'follow_request_accepted' && x.payload.follower_id === fan && x.payload.following_id === priv));
    const toPriv = byOccurrence(events.events.filter((x) => x.payload.follower_id === fan && x.payload.following_id === priv));
    expect(toPriv.map((x) => [x.topic, x.payload.event_type])).toEqual([
      [GRAPH_EVENT_TOPICS.follow, 'follow'],
      [GRAPH_EVENT_TOPICS.followUpdated, 'follow_updated'],
      [GRAPH_EVENT_TOPICS.followAccepted, 'follow_request_accepted'],
    ]);
    expect(toPriv[1]!.key).toBe(fan);
    // Exactly the documented payload (docs/api.md "Events"): the whole new set of options.
    expect(toPriv[1]!.payload).toEqual({
      event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      event_type: 'follow_updated',
      schema_version: 1,
      occurred_at: expect.any(String),
      follower_id: fan,
      following_id: priv,
      status: 'pending',
      options: { notify: true, reposts: true, languages: ['fr'] },
    });
    const occurredAt = toPriv[1]!.payload.occurred_at;
    expect(new Date(occurredAt).toISOString()).toBe(occurredAt);
    // Keyed by follower_id: on each topic, one follower's events stay on one partition (in order).
    for (const topic of Object.values(GRAPH_EVENT_TOPICS)) {
      const partitions = events.events.filter((x) => x.topic === topic && x.payload.follower_id === fan).map((x) => x.partition);
      expect(new Set(partitions).size).toBeLessThanOrEqual(1);
    }
  });

  it('refuses bad options with VALIDATION_FAILED naming the field, writing nothing', async () => {
    const target = freshUserId();
    for (const [body, field] of [
      [{ notify: 'yes' }, 'notify'],
      [{ reposts: 1 }, 'reposts'],
      [{ languages: 'en' }, 'languages'],
      [{ languages: ['en', 'xx'] }, 'languages[1]'],
      [{ languages: [3] }, 'languages'],
      [{ colour: 'red' }, 'colour'],
    ] as const) {
      const res = await http().post(`${G}/follow/${target}`).set(bearer(fan)).send(body).expect(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field } });
    }
    expect(await rel(fan, target)).toMatchObject({ following: false, notifying: false });
  });

  it('graph.rpc.notify_subscriber_ids pages the accepted followers who asked to be notified; relationships over Kafka carry the options', async () => {
    const celeb = freshUserId();
    const [a, b, c] = [freshUserId(), freshUserId(), freshUserId()];
    await http().post(`${G}/follow/${celeb}`).set(bearer(a)).send({ notify: true }).expect(200);
    await http().post(`${G}/follow/${celeb}`).set(bearer(b)).expect(200);
    await http().post(`${G}/follow/${celeb}`).set(bearer(c)).send({ notify: true }).expect(200);
    const first = await client.notifySubscriberIds(celeb, { limit: 1 });
    expect(first.user_ids).toEqual([c]);
    await expect(client.notifySubscriberIds(celeb, { cursor: first.next_cursor })).resolves.toEqual({ user_ids: [a], next_cursor: null });
    // Turning notify off takes the follower out at once.
    await http().post(`${G}/follow/${celeb}`).set(bearer(c)).send({ notify: false }).expect(200);
    await expect(client.notifySubscriberIds(celeb)).resolves.toEqual({ user_ids: [a], next_cursor: null });
    await expect(client.notifySubscriberIds('0')).rejects.toMatchObject({ code: 'INVALID_USER_ID' });
    const [viaKafka] = await client.relationships(a, [celeb]);
    expect(viaKafka).toMatchObject({ following: true, notifying: true, showing_reposts: true, languages: null });
  });

  it('id pages give each edge with created_at and options on request, and filter by since/until', async () => {
    const owner = freshUserId();
    const [old, fresh] = [freshUserId(), freshUserId()];
    await http().post(`${G}/follow/${owner}`).set(bearer(old)).send({ reposts: false }).expect(200);
    await new Promise((r) => setTimeout(r, 20));
    const cut = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await http().post(`${G}/follow/${owner}`).set(bearer(fresh)).send({ notify: true, languages: ['ja'] }).expect(200);
    const page = await client.followerIds(owner, { with_edges: true });
    expect(page.user_ids).toEqual([fresh, old]);
    expect(page.edges).toEqual([
      { user_id: fresh, created_at: expect.any(String), options: { notify: true, reposts: true, languages: ['ja'] } },
      { user_id: old, created_at: expect.any(String), options: { notify: false, reposts: false, languages: null } },
    ]);
    await expect(client.followerIds(owner, { since: cut })).resolves.toEqual({ user_ids: [fresh], next_cursor: null });
    await expect(client.followerIds(owner, { until: cut, with_edges: true })).resolves.toMatchObject({ user_ids: [old], edges: [{ user_id: old }] });
    await expect(client.followingIds(fresh, { with_edges: true })).resolves.toMatchObject({ edges: [{ user_id: owner, options: { notify: true } }] });
    await expect(client.followerIds(owner, { since: 'yesterday' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(client.followerIds(owner, { with_edges: 'yes' as never })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
