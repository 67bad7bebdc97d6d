import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createDataSource } from '@graph/infrastructure';
import { testInfra } from '../setup/test-infra';
import { counterDrift, outboxEntries, outboxPosition, storedCounts } from '../support/graph-inspection';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const BAD_IDS = ['0', '-1', '1.5', '9223372036854775808', '12abc'];

let db: DataSource;
beforeAll(async () => {
  db = createDataSource(testInfra.databaseUrl, 2, 10000);
  await db.initialize();
});
afterAll(() => db.destroy());

async function edgeStatus(followerId: string, followingId: string): Promise<string | null> {
  const [row] = await db.query(`SELECT status FROM follows WHERE follower_id = $1 AND following_id = $2`, [followerId, followingId]);
  return row?.status ?? null;
}

describe.each(['express', 'fastify'])('the write endpoints over HTTP on %s', (adapter) => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startTestApp({ HTTP_ADAPTER: adapter });
  });
  afterAll(() => app.close());

  describe('POST and DELETE /api/v1/graph/follow/{userId}', () => {
    it('follows a public account, repeats with 200, and writes one follow event to the outbox', async () => {
      const [alice, bob] = [freshUserId(), freshUserId()];
      const start = await outboxPosition(db);
      const res = await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200);
      expect(res.body).toEqual({ success: true, status: 'accepted', message: expect.stringContaining(bob) });
      const again = await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200);
      expect(again.body).toMatchObject({ success: true, status: 'accepted' });
      expect(await storedCounts(db, bob)).toEqual({ followers: 1, following: 0, pending: 0 });
      const events = await outboxEntries(db, start, [alice, bob]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        topic: 'graph.follow',
        key: alice,
        payload: { event_type: 'follow', follower_id: alice, following_id: bob, status: 'accepted', metadata: { is_mutual: false } },
      });
    });

    it('unfollows with status none, repeats with 200, and emits one unfollow event', async () => {
      const [alice, bob] = [freshUserId(), freshUserId()];
      await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200);
      const start = await outboxPosition(db);
      await http().delete(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200, { success: true, status: 'none' });
      await http().delete(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200, { success: true, status: 'none' });
      expect(await edgeStatus(alice, bob)).toBeNull();
      expect(await storedCounts(db, bob)).toEqual({ followers: 0, following: 0, pending: 0 });
      const events = await outboxEntries(db, start, [alice, bob]);
      expect(events.map((e) => [e.topic, e.payload.event_type, (e.payload as { reason?: string }).reason])).toEqual([
        ['graph.unfollow', 'unfollow', 'unfollow'],
      ]);
    });

    it('refuses a self-follow with 400 SELF_FOLLOW', async () => {
      const alice = freshUserId();
      const res = await http().post(`/api/v1/graph/follow/${alice}`).set(bearer(alice)).expect(400);
      expect(res.body.error).toMatchObject({ code: 'SELF_FOLLOW', message: expect.any(String), request_id: expect.any(String) });
    });

    it('accepts the largest 64-bit id and keeps it exact', async () => {
      const alice = freshUserId();
      const max = '9223372036854775807';
      await http().post(`/api/v1/graph/follow/${max}`).set(bearer(alice)).expect(200);
      expect(await edgeStatus(alice, max)).toBe('accepted');
      await http().delete(`/api/v1/graph/follow/${max}`).set(bearer(alice)).expect(200);
    });
  });

  describe('a private account and its requests', () => {
    it('turns a follow into a request, accepts it once, and repeats with 200', async () => {
      const [alice, bob] = [freshUserId(), freshUserId()];
      await http().put('/api/v1/graph/settings').set(bearer(bob)).send({ is_private: true }).expect(200).expect((r) => expect(r.body).toMatchObject({ is_private: true }));
      await http().get('/api/v1/graph/settings').set(bearer(bob)).expect(200).expect((r) => expect(r.body).toMatchObject({ is_private: true }));
      const start = await outboxPosition(db);

      const res = await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200);
      expect(res.body).toEqual({ success: true, status: 'pending', message: expect.stringContaining('request') });
      await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200);
      expect(await storedCounts(db, bob)).toEqual({ followers: 0, following: 0, pending: 1 });

      const accept = () => http().post(`/api/v1/graph/requests/${alice}`).set(bearer(bob)).send({ action: 'accept' });
      await accept().expect(200, { success: true, status: 'accepted', follower_id: alice });
      await accept().expect(200, { success: true, status: 'accepted', follower_id: alice });
      expect(await edgeStatus(alice, bob)).toBe('accepted');
      expect(await storedCounts(db, bob)).toEqual({ followers: 1, following: 0, pending: 0 });
      expect(await storedCounts(db, alice)).toEqual({ followers: 0, following: 1, pending: 0 });

      const rejectAfter = await http().post(`/api/v1/graph/requests/${alice}`).set(bearer(bob)).send({ action: 'reject' }).expect(404);
      expect(rejectAfter.body.error.code).toBe('REQUEST_NOT_FOUND');

      const events = await outboxEntries(db, start, [alice, bob]);
      expect(events.map((e) => [e.topic, e.payload.event_type])).toEqual([
        ['graph.follow', 'follow'],
        ['graph.follow_accepted', 'follow_request_accepted'],
      ]);
      expect(events[0]!.payload).toMatchObject({ status: 'pending' });
    });

    it('rejects a request, repeats with 200, and then knows no request to accept', async () => {
      const [alice, bob] = [freshUserId(), freshUserId()];
      await http().put('/api/v1/graph/settings').set(bearer(bob)).send({ is_private: true }).expect(200);
      await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200);
      const reject = () => http().post(`/api/v1/graph/requests/${alice}`).set(bearer(bob)).send({ action: 'reject' });
      await reject().expect(200, { success: true, status: 'rejected', follower_id: alice });
      await reject().expect(200, { success: true, status: 'rejected', follower_id: alice });
      expect(await storedCounts(db, bob)).toEqual({ followers: 0, following: 0, pending: 0 });
      const accept = await http().post(`/api/v1/graph/requests/${alice}`).set(bearer(bob)).send({ action: 'accept' }).expect(404);
      expect(accept.body.error.code).toBe('REQUEST_NOT_FOUND');
    });

    it('lets only the requested account answer, and checks the body', async () => {
      const [alice, bob, carol] = [freshUserId(), freshUserId(), freshUserId()];
      await http().put('/api/v1/graph/settings').set(bearer(bob)).send({ is_private: true }).expect(200);
      await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200);
      // The requester itself, or a third user, finds no request to answer.
      expect((await http().post(`/api/v1/graph/requests/${bob}`).set(bearer(alice)).send({ action: 'accept' }).expect(404)).body.error.code).toBe(
        'REQUEST_NOT_FOUND',
      );
      await http().post(`/api/v1/graph/requests/${alice}`).set(bearer(carol)).send({ action: 'accept' }).expect(404);
      for (const body of [{ action: 'approve' }, {}, { action: 'accept', extra: 1 }]) {
        const res = await http().post(`/api/v1/graph/requests/${alice}`).set(bearer(bob)).send(body).expect(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
        expect(res.body.error.message).toMatch(/action|extra/);
      }
      expect(await edgeStatus(alice, bob)).toBe('pending');
    });

    it('cancels a pending request with DELETE /follow', async () => {
      const [alice, bob] = [freshUserId(), freshUserId()];
      await http().put('/api/v1/graph/settings').set(bearer(bob)).send({ is_private: true }).expect(200);
      await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200);
      const start = await outboxPosition(db);
      await http().delete(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200, { success: true, status: 'none' });
      expect(await storedCounts(db, bob)).toEqual({ followers: 0, following: 0, pending: 0 });
      const [event] = await outboxEntries(db, start, [alice]);
      expect(event!.payload).toMatchObject({ event_type: 'unfollow', reason: 'cancelled', previous_status: 'pending' });
    });
  });

  describe('GET and PUT /api/v1/graph/settings', () => {
    it('reads public by default; going public accepts every pending request with its event', async () => {
      const [owner, fan1, fan2] = [freshUserId(), freshUserId(), freshUserId()];
      await http().get('/api/v1/graph/settings').set(bearer(owner)).expect(200).expect((r) => expect(r.body).toMatchObject({ is_private: false }));
      await http().put('/api/v1/graph/settings').set(bearer(owner)).send({ is_private: true }).expect(200).expect((r) => expect(r.body).toMatchObject({ is_private: true }));
      await http().put('/api/v1/graph/settings').set(bearer(owner)).send({ is_private: true }).expect(200).expect((r) => expect(r.body).toMatchObject({ is_private: true }));
      await http().post(`/api/v1/graph/follow/${owner}`).set(bearer(fan1)).expect(200);
      await http().post(`/api/v1/graph/follow/${owner}`).set(bearer(fan2)).expect(200);
      const start = await outboxPosition(db);
      await http().put('/api/v1/graph/settings').set(bearer(owner)).send({ is_private: false }).expect(200).expect((r) => expect(r.body).toMatchObject({ is_private: false }));
      await http().get('/api/v1/graph/settings').set(bearer(owner)).expect(200).expect((r) => expect(r.body).toMatchObject({ is_private: false }));
      expect(await edgeStatus(fan1, owner)).toBe('accepted');
      expect(await edgeStatus(fan2, owner)).toBe('accepted');
      expect(await storedCounts(db, owner)).toEqual({ followers: 2, following: 0, pending: 0 });
      const events = await outboxEntries(db, start, [owner]);
      expect(events.map((e) => e.payload.event_type)).toEqual(['follow_request_accepted', 'follow_request_accepted']);
    });

    it('refuses a body without a boolean is_private', async () => {
      const owner = freshUserId();
      for (const body of [{}, { is_private: 'yes' }, { is_private: 1 }, { is_private: true, other: 1 }]) {
        const res = await http().put('/api/v1/graph/settings').set(bearer(owner)).send(body).expect(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
      await http().get('/api/v1/graph/settings').set(bearer(owner)).expect(200).expect((r) => expect(r.body).toMatchObject({ is_private: false }));
    });
  });

  describe('DELETE /api/v1/graph/followers/{userId}', () => {
    it('removes a follower of mine, repeats with 200, and emits reason removed', async () => {
      const [owner, fan] = [freshUserId(), freshUserId()];
      await http().post(`/api/v1/graph/follow/${owner}`).set(bearer(fan)).expect(200);
      const start = await outboxPosition(db);
      await http().delete(`/api/v1/graph/followers/${fan}`).set(bearer(owner)).expect(200, { success: true, status: 'none' });
      await http().delete(`/api/v1/graph/followers/${fan}`).set(bearer(owner)).expect(200, { success: true, status: 'none' });
      expect(await edgeStatus(fan, owner)).toBeNull();
      const events = await outboxEntries(db, start, [owner]);
      expect(events.map((e) => e.payload)).toEqual([expect.objectContaining({ event_type: 'unfollow', reason: 'removed', follower_id: fan })]);
    });

    it('only removes followers of the caller', async () => {
      const [owner, fan, stranger] = [freshUserId(), freshUserId(), freshUserId()];
      await http().post(`/api/v1/graph/follow/${owner}`).set(bearer(fan)).expect(200);
      await http().delete(`/api/v1/graph/followers/${fan}`).set(bearer(stranger)).expect(200);
      expect(await edgeStatus(fan, owner)).toBe('accepted');
    });
  });

  describe('POST and DELETE /api/v1/graph/block/{userId}', () => {
    it('blocks, removing follows both ways, refuses follows either way, and unblocks restoring nothing', async () => {
      const [alice, bob] = [freshUserId(), freshUserId()];
      await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200);
      await http().post(`/api/v1/graph/follow/${alice}`).set(bearer(bob)).expect(200);
      const start = await outboxPosition(db);
      await http().post(`/api/v1/graph/block/${bob}`).set(bearer(alice)).expect(200, { success: true, blocking: true });
      await http().post(`/api/v1/graph/block/${bob}`).set(bearer(alice)).expect(200, { success: true, blocking: true });
      expect(await edgeStatus(alice, bob)).toBeNull();
      expect(await edgeStatus(bob, alice)).toBeNull();
      expect(await counterDrift(db, [alice, bob])).toEqual([]);
      expect(await storedCounts(db, alice)).toEqual({ followers: 0, following: 0, pending: 0 });
      const events = await outboxEntries(db, start, [alice, bob]);
      expect(events.map((e) => (e.payload as { reason?: string }).reason)).toEqual(['blocked', 'blocked']);

      for (const [from, to] of [
        [alice, bob],
        [bob, alice],
      ]) {
        const res = await http().post(`/api/v1/graph/follow/${to}`).set(bearer(from!)).expect(403);
        expect(res.body.error.code).toBe('BLOCKED');
      }
      await http().delete(`/api/v1/graph/block/${bob}`).set(bearer(alice)).expect(200, { success: true, blocking: false });
      await http().delete(`/api/v1/graph/block/${bob}`).set(bearer(alice)).expect(200, { success: true, blocking: false });
      expect(await edgeStatus(alice, bob)).toBeNull();
      await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200);
    });

    it('refuses to block oneself with 400 SELF_BLOCK', async () => {
      const alice = freshUserId();
      const res = await http().post(`/api/v1/graph/block/${alice}`).set(bearer(alice)).expect(400);
      expect(res.body.error.code).toBe('SELF_BLOCK');
    });
  });

  describe('input and authentication on every write endpoint', () => {
    const endpoints: Array<{ method: 'post' | 'delete'; path: (id: string) => string; field: string; body?: object }> = [
      { method: 'post', path: (id) => `/api/v1/graph/follow/${id}`, field: 'userId' },
      { method: 'delete', path: (id) => `/api/v1/graph/follow/${id}`, field: 'userId' },
      { method: 'post', path: (id) => `/api/v1/graph/requests/${id}`, field: 'followerId', body: { action: 'accept' } },
      { method: 'delete', path: (id) => `/api/v1/graph/followers/${id}`, field: 'userId' },
      { method: 'post', path: (id) => `/api/v1/graph/block/${id}`, field: 'userId' },
      { method: 'delete', path: (id) => `/api/v1/graph/block/${id}`, field: 'userId' },
    ];

    it.each(endpoints.map((e) => [`${e.method.toUpperCase()} ${e.path('{id}')}`, e] as const))(
      '%s answers 400 INVALID_USER_ID naming the field for every malformed id, writing nothing',
      async (_name, endpoint) => {
        const caller = freshUserId();
        const start = await outboxPosition(db);
        for (const bad of BAD_IDS) {
          const res = await http()[endpoint.method](endpoint.path(encodeURIComponent(bad))).set(bearer(caller)).send(endpoint.body ?? {});
          expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
          expect(res.body.error).toMatchObject({ code: 'INVALID_USER_ID', details: { field: endpoint.field } });
          expect(res.body.error.message).toContain(endpoint.field);
        }
        expect(await outboxEntries(db, start, [caller])).toEqual([]);
        expect(await db.query(`SELECT 1 FROM follows WHERE follower_id = $1 OR following_id = $1`, [caller])).toEqual([]);
      },
    );

    it('answers 401 without a token on every write endpoint and on settings', async () => {
      const target = freshUserId();
      for (const endpoint of endpoints) {
        const res = await http()[endpoint.method](endpoint.path(target)).send(endpoint.body ?? {}).expect(401);
        expect(res.body.error.code).toBe('UNAUTHORIZED');
      }
      await http().get('/api/v1/graph/settings').expect(401);
      await http().put('/api/v1/graph/settings').send({ is_private: true }).expect(401);
      await http().post(`/api/v1/graph/follow/${target}`).set('Authorization', 'Bearer nonsense').expect(401);
    });
  });
});

describe('the follow rate limit over HTTP', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await startTestApp({ FOLLOW_RATE_LIMIT: '3', FOLLOW_RATE_WINDOW_SECONDS: '120' });
  });
  afterAll(() => app.close());

  it('answers 429 RATE_LIMITED with Retry-After past the limit, per user, writing nothing', async () => {
    const [alice, bob] = [freshUserId(), freshUserId()];
    const targets = [freshUserId(), freshUserId(), freshUserId(), freshUserId()];
    for (const t of targets.slice(0, 3)) await request(app.getHttpServer()).post(`/api/v1/graph/follow/${t}`).set(bearer(alice)).expect(200);
    const res = await request(app.getHttpServer()).post(`/api/v1/graph/follow/${targets[3]}`).set(bearer(alice)).expect(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(120);
    expect(await edgeStatus(alice, targets[3]!)).toBeNull();
    // Another user is not affected; unfollows are not limited.
    await request(app.getHttpServer()).post(`/api/v1/graph/follow/${targets[3]}`).set(bearer(bob)).expect(200);
    await request(app.getHttpServer()).delete(`/api/v1/graph/follow/${targets[0]}`).set(bearer(alice)).expect(200);
  });
});

describe('the write endpoints in the Swagger document', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('documents each write route with its response schema and bearer auth', async () => {
    const spec = (await request(app.getHttpServer()).get('/docs-json').expect(200)).body;
    const routes: Array<[string, string, string]> = [
      ['/api/v1/graph/follow/{userId}', 'post', 'FollowResponseDto'],
      ['/api/v1/graph/follow/{userId}', 'delete', 'UnfollowResponseDto'],
      ['/api/v1/graph/requests/{followerId}', 'post', 'RespondToRequestResponseDto'],
      ['/api/v1/graph/followers/{userId}', 'delete', 'RemoveFollowerResponseDto'],
      ['/api/v1/graph/block/{userId}', 'post', 'BlockResponseDto'],
      ['/api/v1/graph/block/{userId}', 'delete', 'BlockResponseDto'],
      ['/api/v1/graph/settings', 'get', 'SettingsDto'],
      ['/api/v1/graph/settings', 'put', 'SettingsDto'],
      ['/api/v1/graph/settings', 'patch', 'SettingsDto'],
    ];
    for (const [path, method, schema] of routes) {
      const op = spec.paths[path]?.[method];
      expect({ path, method, documented: Boolean(op) }).toEqual({ path, method, documented: true });
      expect(op.responses['200'].content['application/json'].schema.$ref).toBe(`#/components/schemas/${schema}`);
      expect(op.security).toEqual([{ bearer: [] }]);
      expect(op.responses['401']).toBeDefined();
    }
    expect(spec.paths['/api/v1/graph/follow/{userId}'].post.responses['429']).toBeDefined();
    expect(spec.components.schemas.RespondToRequestBodyDto.properties.action.enum).toEqual(['accept', 'reject']);
  });
});
