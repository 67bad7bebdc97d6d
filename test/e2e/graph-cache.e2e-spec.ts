import { Redis } from 'ioredis';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { RedisConnection } from '../../libs/graph-infrastructure/src/redis/redis.connection';
import { countCommands } from '../support/redis';
import { SpareRedis, SpareRedisCluster } from '../support/spare-services';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';

describe.each([
  ['Redis', 'redis'],
  ['a Redis Cluster of 3 masters + 3 replicas (REDIS_CLUSTER_NODES)', 'cluster'],
  ['the in-process cache (no REDIS_URL)', 'memory'],
] as const)('read-your-writes over HTTP with %s', (_name, cache) => {
  let app: INestApplication;
  let cluster: SpareRedisCluster | null = null;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    if (cache === 'cluster') cluster = await SpareRedisCluster.start();
    app = await startTestApp(cache === 'memory' ? { REDIS_URL: '' } : cluster ? { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodes } : {});
  }, 60000);
  afterAll(async () => {
    await app.close();
    await cluster?.stop();
  });

  /** Reads the three views a follow button, a profile and a list depend on (all cached). */
  async function views(me: string, you: string) {
    const [relationship, following, stats] = await Promise.all([
      http().get(`${G}/relationship/${you}`).set(bearer(me)).expect(200),
      http().get(`${G}/following/${me}`).set(bearer(me)).expect(200),
      http().get(`${G}/stats/${you}`).set(bearer(me)).expect(200),
    ]);
    return { relationship: relationship.body, following: following.body, stats: stats.body };
  }

  it('a follow, an unfollow, a request and its acceptance are visible to the very next read', async () => {
    const [me, you, priv] = [freshUserId(), freshUserId(), freshUserId()];
    // Warm every entry first, so a stale cache would show.
    for (let i = 0; i < 2; i++) await views(me, you);

    await http().post(`${G}/follow/${you}`).set(bearer(me)).expect(200);
    let v = await views(me, you);
    expect(v.relationship).toMatchObject({ following: true, relationship: 'following' });
    expect(v.following.following.map((e: { user_id: string }) => e.user_id)).toEqual([you]);
    expect(v.following.total).toBe(1);
    expect(v.stats).toMatchObject({ follower_count: 1, following_count: 0 });

    await http().delete(`${G}/follow/${you}`).set(bearer(me)).expect(200);
    v = await views(me, you);
    expect(v.relationship).toMatchObject({ following: false, relationship: 'none' });
    expect(v.following).toMatchObject({ following: [], total: 0 });
    expect(v.stats).toMatchObject({ follower_count: 0 });

    await http().put(`${G}/settings`).set(bearer(priv)).send({ is_private: true }).expect(200);
    await views(me, priv);
    await http().post(`${G}/follow/${priv}`).set(bearer(me)).expect(200).expect((r) => expect(r.body.status).toBe('pending'));
    v = await views(me, priv);
    expect(v.relationship).toMatchObject({ requested: true, relationship: 'requested' });
    expect(v.stats).toMatchObject({ follower_count: 0, pending_requests_count: 1 });
    await http().post(`${G}/requests/${me}`).set(bearer(priv)).send({ action: 'accept' }).expect(200);
    v = await views(me, priv);
    expect(v.relationship).toMatchObject({ following: true, requested: false });
    expect(v.following.following.map((e: { user_id: string }) => e.user_id)).toEqual([priv]);
    expect(v.stats).toMatchObject({ follower_count: 1, pending_requests_count: 0 });
  });

  it('counts hits and misses per key family on /metrics', async () => {
    const [me, you] = [freshUserId(), freshUserId()];
    await views(me, you);
    await views(me, you);
    const metrics = await http().get('/metrics').expect(200);
    for (const family of ['relationship', 'following', 'stats']) {
      expect(metrics.text).toMatch(new RegExp(`graph_cache_hits_total\\{family="${family}"\\} [1-9]`));
      expect(metrics.text).toMatch(new RegExp(`graph_cache_misses_total\\{family="${family}"\\} [1-9]`));
    }
  });
});

describe('HTTP calls while the cache Redis is down', () => {
  let spare: SpareRedis;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    spare = await SpareRedis.start();
    app = await startTestApp({ REDIS_URL: spare.url });
  });
  afterAll(async () => {
    await app.close();
    await spare.kill();
  });

  it('keep succeeding from Postgres without sending the cache anything, and read exact values once Redis is back', async () => {
    const [me, you] = [freshUserId(), freshUserId()];
    const followers = () => http().get(`${G}/followers/${you}`).set(bearer(me)).expect(200);
    const ids = (r: request.Response) => r.body.followers.map((e: { user_id: string }) => e.user_id);
    await http().get(`${G}/stats/${you}`).set(bearer(me)).expect(200);
    // A stored first page (rendered, served ahead of the router) must not outlive the outage either.
    for (let i = 0; i < 3; i++) await followers();
    await spare.kill();
    // The dropped connection opens the cache breaker by itself.
    const breakerOpen = async () => /graph_cache_breaker_open 1/.test((await http().get('/metrics')).text);
    for (let i = 0; i < 100 && !(await breakerOpen()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await breakerOpen()).toBe(true);
    // The cache's calls are its scripts (EVALSHA); the rate limiter's script (on its graph:ratelimit: key) and the
    // health PING are not the cache's.
    const commands = countCommands(app.get(RedisConnection, { strict: false }).client as Redis);
    try {
      await http().post(`${G}/follow/${you}`).set(bearer(me)).expect(200);
      for (let i = 0; i < 20; i++) {
        await http().get(`${G}/stats/${you}`).set(bearer(me)).expect(200).expect((r) => expect(r.body.follower_count).toBe(1));
        await http().get(`${G}/relationship/${you}`).set(bearer(me)).expect(200).expect((r) => expect(r.body.following).toBe(true));
        await followers().expect((r) => expect(ids(r)).toEqual([me]));
      }
      expect(commands.sent((name, args) => name === 'evalsha' && !String(args[2]).startsWith('graph:ratelimit:'))).toBe(0);
    } finally {
      commands.restore();
    }
    await spare.start();
    await http().delete(`${G}/follow/${you}`).set(bearer(me)).expect(200);
    for (let i = 0; i < 40; i++) {
      const stats = await http().get(`${G}/stats/${you}`).set(bearer(me)).expect(200);
      expect(stats.body.follower_count).toBe(0);
      expect(ids(await followers())).toEqual([]);
      await new Promise((r) => setTimeout(r, 50));
    }
    const metrics = await http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/graph_cache_epoch_bumps_total [1-9]/);
    expect(metrics.text).toMatch(/graph_cache_breaker_open 0/);
  });
});
