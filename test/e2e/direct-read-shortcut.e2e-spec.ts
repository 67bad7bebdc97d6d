import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';

/**
 * Stats and relationship answered ahead of the router (DirectReadShortcut) give the bytes and
 * headers the route gives; a query string sends the same call through the route (the route ignores
 * it), which is how the two are compared. Every other e2e suite's stats and relationship calls go
 * through the shortcut too.
 */
describe.each([['express'], ['fastify']])('stats and relationship ahead of the router (%s)', (adapter) => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startTestApp({ HTTP_ADAPTER: adapter });
  });
  afterAll(() => app.close());

  it('answers as the route does, and shows a write at once', async () => {
    const [owner, follower, viewer] = [freshUserId(), freshUserId(), freshUserId()];
    await http().post(`${G}/follow/${owner}`).set(bearer(follower)).expect(200);
    for (const path of [`${G}/stats/${owner}`, `${G}/relationship/${owner}`]) {
      for (const caller of [viewer, follower, owner]) {
        const served = await http().get(path).set(bearer(caller)).expect(200);
        const routed = await http().get(`${path}?via=route`).set(bearer(caller)).expect(200);
        expect({ path, caller, text: served.text, type: served.headers['content-type'], etag: served.headers['etag'] }).toEqual({
          path,
          caller,
          text: routed.text,
          type: routed.headers['content-type'],
          etag: routed.headers['etag'],
        });
        expect(served.headers['x-request-id']).toBeDefined();
      }
    }
    const rel = await http().get(`${G}/relationship/${owner}`).set(bearer(follower)).expect(200);
    expect(rel.body).toEqual(expect.objectContaining({ user_id: owner, following: true }));
    await http().delete(`${G}/follow/${owner}`).set(bearer(follower)).expect(200);
    expect((await http().get(`${G}/relationship/${owner}`).set(bearer(follower)).expect(200)).body.following).toBe(false);
    expect((await http().get(`${G}/stats/${owner}`).set(bearer(viewer)).expect(200)).body.follower_count).toBe(0);
  });

  it('leaves bad ids, missing tokens and conditional requests to the route, which answers as always', async () => {
    const [owner, viewer] = [freshUserId(), freshUserId()];
    const bad = await http().get(`${G}/stats/abc`).set(bearer(viewer)).expect(400);
    expect(bad.body.error.code).toBe('INVALID_USER_ID');
    const anonymous = await http().get(`${G}/relationship/${owner}`).expect(401);
    expect(anonymous.body.error.code).toBe('UNAUTHORIZED');
    const first = await http().get(`${G}/stats/${owner}`).set(bearer(viewer)).expect(200);
    if (first.headers['etag']) {
      await http().get(`${G}/stats/${owner}`).set(bearer(viewer)).set('If-None-Match', first.headers['etag']).expect(304);
    }
  });

  it('labels its calls with the route template in the latency metric', async () => {
    const owner = freshUserId();
    await http().get(`${G}/stats/${owner}`).set(bearer(freshUserId())).expect(200);
    const metrics = (await http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/graph_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/graph\/stats\/:userId",status="200"\} \d+/);
  });
});
