import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Kafka, Producer, logLevel } from 'kafkajs';
import request from 'supertest';
import { GraphClient } from '@graph/client';
import { GRAPH_MUTE_TOPIC, GraphEventPayload, GraphMuteEventPayload, USER_EVENTS_TOPIC } from '@graph/contracts';
import { testInfra } from '../setup/test-infra';
import { EventCollector } from '../support/kafka-collector';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mutes over HTTP and Kafka', () => {
  let app: INestApplication;
  let client: GraphClient;
  let muteEvents: EventCollector;
  const [me, bob, carol, dave] = [freshUserId(), freshUserId(), freshUserId(), freshUserId()];
  const [eve, frank, gone] = [freshUserId(), freshUserId(), freshUserId()];
  const watched = [me, bob, carol, dave, eve, frank, gone];
  const http = () => request(app.getHttpServer());
  const asMute = (p: GraphEventPayload) => p as unknown as GraphMuteEventPayload;
  const mutesOf = (muter: string) => muteEvents.events.map((e) => ({ key: e.key, ...asMute(e.payload) })).filter((p) => p.muter_id === muter);

  beforeAll(async () => {
    // The sweeper runs every second here, so the expiry test sees its event.
    app = await startTestApp({ MUTE_SWEEP_INTERVAL_SECONDS: '1' });
    muteEvents = await EventCollector.start(testInfra.kafkaBrokers, (p) => watched.includes(asMute(p).muter_id), {
      topics: [GRAPH_MUTE_TOPIC],
    });
    client = new GraphClient({ brokers: testInfra.kafkaBrokers.split(','), groupId: `test-mutes-${randomUUID()}`, timeoutMs: 10000 });
    await client.onModuleInit();
    await http().post(`${G}/follow/${bob}`).set(bearer(me)).expect(200);
    await http().post(`${G}/follow/${me}`).set(bearer(bob)).expect(200);
  });
  afterAll(async () => {
    await client?.onModuleDestroy();
    await muteEvents?.stop();
    await app?.close();
  });

  it('mutes with the defaults, shows it only in the muter\'s relationship, and leaves follows and counts alone', async () => {
    const res = await http().post(`${G}/mutes/${bob}`).set(bearer(me)).expect(200);
    expect(res.body).toEqual({ success: true, muting: true, notifications: true, scope: 'all', expires_at: null });
    const mine = await http().get(`${G}/relationship/${bob}`).set(bearer(me)).expect(200);
    expect(mine.body).toMatchObject({ relationship: 'mutual', muting: true, muting_notifications: true, muting_expires_at: null });
    const theirs = await http().get(`${G}/relationship/${me}`).set(bearer(bob)).expect(200);
    expect(theirs.body).toMatchObject({ relationship: 'mutual', muting: false, muting_notifications: false, muting_expires_at: null });
    const stats = await http().get(`${G}/stats/${bob}`).set(bearer(me)).expect(200);
    expect(stats.body).toMatchObject({ follower_count: 1, following_count: 1 });
    // A repeat with other settings replaces them.
    const again = await http().post(`${G}/mutes/${bob}`).set(bearer(me)).send({ notifications: false, scope: 'reposts', duration: 3600 }).expect(200);
    expect(again.body).toMatchObject({ muting: true, notifications: false, scope: 'reposts' });
    expect(Date.parse(again.body.expires_at) - Date.now()).toBeGreaterThan(3500_000);
    const rels = await http().get(`${G}/relationships`).query({ ids: `${bob},${carol}` }).set(bearer(me)).expect(200);
    expect(rels.body.relationships.map((r: { muting: boolean; muting_notifications: boolean }) => [r.muting, r.muting_notifications])).toEqual([
      [true, false],
      [false, false],
    ]);
  });

  it('refuses self-mute and bad settings with a stable code, writing nothing', async () => {
    expect((await http().post(`${G}/mutes/${me}`).set(bearer(me)).expect(400)).body.error.code).toBe('SELF_MUTE');
    for (const body of [{ duration: -1 }, { duration: 366 * 86400 }, { duration: 1.5 }, { scope: 'posts' }, { notifications: 'yes' }, { extra: 1 }]) {
      const res = await http().post(`${G}/mutes/${carol}`).set(bearer(me)).send(body).expect(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', request_id: expect.any(String) });
    }
    expect((await http().post(`${G}/mutes/abc`).set(bearer(me)).expect(400)).body.error.code).toBe('INVALID_USER_ID');
    expect((await http().get(`${G}/relationship/${carol}`).set(bearer(me)).expect(200)).body.muting).toBe(false);
    await http().post(`${G}/mutes/${bob}`).expect(401);
  });

  it('lists mutes newest first in keyset pages with their settings', async () => {
    const muter = freshUserId();
    const muted = [freshUserId(), freshUserId(), freshUserId()];
    for (const id of muted) await http().post(`${G}/mutes/${id}`).set(bearer(muter)).send({ scope: 'reposts' }).expect(200);
    const first = await http().get(`${G}/mutes`).query({ limit: 2 }).set(bearer(muter)).expect(200);
    expect(first.body.mutes).toEqual([
      { user_id: muted[2], notifications: true, scope: 'reposts', expires_at: null, created_at: expect.any(String) },
      expect.objectContaining({ user_id: muted[1] }),
    ]);
    const second = await http().get(`${G}/mutes`).query({ limit: 2, cursor: first.body.next_cursor }).set(bearer(muter)).expect(200);
    expect(second.body).toEqual({ mutes: [expect.objectContaining({ user_id: muted[0] })], next_cursor: null });
    // The cursor is bound to the muter's list.
    expect((await http().get(`${G}/mutes`).query({ cursor: first.body.next_cursor }).set(bearer(me)).expect(400)).body.error.code).toBe('INVALID_CURSOR');
    await http().delete(`${G}/mutes/${muted[1]}`).set(bearer(muter)).expect(200, { success: true, muting: false });
    await http().delete(`${G}/mutes/${muted[1]}`).set(bearer(muter)).expect(200, { success: true, muting: false });
    const after = await http().get(`${G}/mutes`).set(bearer(muter)).expect(200);
    expect(after.body.mutes.map((m: { user_id: string }) => m.user_id)).toEqual([muted[2], muted[0]]);
  });

  it('leaves muted accounts out of suggestions', async () => {
    const [u, hub1, hub2, x, y] = [freshUserId(), freshUserId(), freshUserId(), freshUserId(), freshUserId()];
    for (const hub of [hub1, hub2]) {
      await http().post(`${G}/follow/${hub}`).set(bearer(u)).expect(200);
      for (const t of [x, y]) await http().post(`${G}/follow/${t}`).set(bearer(hub)).expect(200);
    }
    const ids = async () => (await http().get(`${G}/recommendations`).set(bearer(u)).expect(200)).body.recommendations.map((r: { user_id: string }) => r.user_id);
    expect(await ids()).toEqual([x, y].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
    await http().post(`${G}/mutes/${x}`).set(bearer(u)).expect(200);
    expect(await ids()).toEqual([y]);
    await http().delete(`${G}/mutes/${x}`).set(bearer(u)).expect(200);
    expect(await ids()).toContain(x);
  });

  it('a timed mute reads as unmuted once it expires, and the sweeper publishes its expiry', async () => {
    await http().post(`${G}/mutes/${dave}`).set(bearer(carol)).send({ duration: 1 }).expect(200);
    expect((await http().get(`${G}/relationship/${dave}`).set(bearer(carol)).expect(200)).body.muting).toBe(true);
    await sleep(1100);
    expect((await http().get(`${G}/relationship/${dave}`).set(bearer(carol)).expect(200)).body).toMatchObject({ muting: false, muting_expires_at: null });
    expect((await http().get(`${G}/mutes`).set(bearer(carol)).expect(200)).body.mutes).toEqual([]);
    await muteEvents.waitFor(() => mutesOf(carol).some((e) => e.event_type === 'unmute'));
    expect(mutesOf(carol).map((e) => [e.event_type, e.event_type === 'unmute' ? e.reason : e.expires_at !== null])).toEqual([
      ['mute', true],
      ['unmute', 'expired'],
    ]);
  });

  it('publishes every change on the private graph.mute topic, keyed by the muter', async () => {
    await http().delete(`${G}/mutes/${bob}`).set(bearer(me)).expect(200);
    const events = await muteEvents.waitFor(() => mutesOf(me).some((e) => e.event_type === 'unmute'));
    expect(events.length).toBeGreaterThan(0);
    expect(mutesOf(me)).toEqual([
      expect.objectContaining({ key: me, event_type: 'mute', muted_id: bob, notifications: true, scope: 'all', expires_at: null }),
      expect.objectContaining({ key: me, event_type: 'mute', muted_id: bob, notifications: false, scope: 'reposts' }),
      expect.objectContaining({ key: me, event_type: 'unmute', muted_id: bob, reason: 'unmute' }),
    ]);
  });

  it('graph.rpc.muted_ids pages whom a viewer mutes, with scopes; relationships over Kafka show mutes', async () => {
    const viewer = freshUserId();
    const muted = [freshUserId(), freshUserId()];
    await http().post(`${G}/mutes/${muted[0]}`).set(bearer(viewer)).send({ scope: 'reposts', notifications: false }).expect(200);
    await http().post(`${G}/mutes/${muted[1]}`).set(bearer(viewer)).expect(200);
    const first = await client.mutedIds(viewer, { limit: 1 });
    expect(first.mutes).toEqual([{ user_id: muted[1], scope: 'all', notifications: true, expires_at: null }]);
    const second = await client.mutedIds(viewer, { cursor: first.next_cursor });
    expect(second).toEqual({ mutes: [{ user_id: muted[0], scope: 'reposts', notifications: false, expires_at: null }], next_cursor: null });
    await expect(client.mutedIds('x')).rejects.toMatchObject({ code: 'INVALID_USER_ID' });
    await expect(client.mutedIds(viewer, { limit: 5001 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const [rel] = await client.relationships(viewer, [muted[0]!]);
    expect(rel).toMatchObject({ muting: true, muting_notifications: false, muting_expires_at: null });
  });

  it('an unmute after expiry is one expired event whoever deletes the row; an erased account ends its mutes (erased); every event has the documented envelope', async () => {
    await http().post(`${G}/mutes/${frank}`).set(bearer(eve)).send({ duration: 1, scope: 'reposts' }).expect(200);
    await sleep(1100);
    // The DELETE races the sweeper (every second here): either deletes the row, and only one publishes.
    await http().delete(`${G}/mutes/${frank}`).set(bearer(eve)).expect(200, { success: true, muting: false });
    await http().post(`${G}/mutes/${gone}`).set(bearer(eve)).send({ notifications: false }).expect(200);
    await http().post(`${G}/mutes/${frank}`).set(bearer(gone)).expect(200);
    const producer: Producer = new Kafka({ clientId: 'test-mutes-accounts', brokers: testInfra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
      await producer.send({ topic: USER_EVENTS_TOPIC, messages: [{ key: gone, value: JSON.stringify({ event_type: 'user.deleted', event_id: randomUUID(), user_id: gone }) }] });
    } finally {
      await producer.disconnect();
    }
    await muteEvents.waitFor(() => mutesOf(gone).some((e) => e.event_type === 'unmute') && mutesOf(eve).filter((e) => e.event_type === 'unmute').length === 2);
    await sleep(1500); // a second expiry event, were there one, would have come by now
    const brief = (e: GraphMuteEventPayload) => [e.muted_id, e.event_type, e.event_type === 'unmute' ? e.reason : e.expires_at !== null];
    expect(mutesOf(eve).map(brief)).toEqual([
      [frank, 'mute', true],
      [frank, 'unmute', 'expired'],
      [gone, 'mute', false],
      [gone, 'unmute', 'erased'],
    ]);
    expect(mutesOf(gone).map(brief)).toEqual([
      [frank, 'mute', false],
      [frank, 'unmute', 'erased'],
    ]);
    expect((await http().get(`${G}/mutes`).set(bearer(eve)).expect(200)).body.mutes).toEqual([]);

    // The envelope of every event this suite caused: docs/api.md "graph.mute".
    const all = muteEvents.events;
    const partitionOf = new Map<string, number>();
    for (const e of all) {
      const p = asMute(e.payload);
      expect(e.topic).toBe(GRAPH_MUTE_TOPIC);
      expect(e.key).toBe(p.muter_id);
      // One muter's events stay in order: all on one partition.
      expect(partitionOf.get(e.key) ?? e.partition).toBe(e.partition);
      partitionOf.set(e.key, e.partition);
      const common = { event_id: expect.stringMatching(/^[0-9a-f-]{36}$/), schema_version: 1, occurred_at: expect.any(String), muter_id: p.muter_id, muted_id: p.muted_id };
      if (p.event_type === 'mute') {
        expect(p).toEqual({ ...common, event_type: 'mute', notifications: expect.any(Boolean), scope: expect.stringMatching(/^(all|reposts)$/), expires_at: p.expires_at === null ? null : expect.any(String) });
        if (p.expires_at !== null) expect(new Date(p.expires_at).toISOString()).toBe(p.expires_at);
      } else {
        expect(p).toEqual({ ...common, event_type: 'unmute', reason: expect.stringMatching(/^(unmute|expired|erased)$/) });
      }
      expect(new Date(p.occurred_at).toISOString()).toBe(p.occurred_at);
    }
    expect(new Set(all.map((e) => asMute(e.payload).event_id)).size).toBe(all.length);
  });
});
