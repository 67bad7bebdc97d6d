import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ListEdgesUseCase } from '@graph/application';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';

describe.each([
  ['express with Redis', {}],
  ['fastify with Redis', { HTTP_ADAPTER: 'fastify' }],
  ['express with the in-process cache', { REDIS_URL: '' }],
])('first pages answered ahead of the router (%s)', (_name, env) => {
  let app: INestApplication;
  let useCase: jest.SpyInstance;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startTestApp(env);
    useCase = jest.spyOn(app.get(ListEdgesUseCase), 'execute');
  });
  afterAll(() => app.close());

  const get = (path: string, viewer: string) => http().get(path).set(bearer(viewer));

  /** GETs `path` until an answer comes without the route's use case (the rendering is stored in the background). */
  async function fromShortcut(path: string, viewer: string): Promise<request.Response> {
    for (let i = 0; i < 50; i++) {
      const calls = useCase.mock.calls.length;
      const res = await get(path, viewer).expect(200);
      if (useCase.mock.calls.length === calls) return res;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`${path} was never answered ahead of the router`);
  }

  const ids = (res: request.Response, field = 'followers') => res.body[field].map((e: { user_id: string }) => e.user_id);

  it('answers with the bytes and headers the route gave, without running the use case', async () => {
    const [owner, a, b, viewer] = [freshUserId(), freshUserId(), freshUserId(), freshUserId()];
    for (const f of [a, b]) await http().post(`${G}/follow/${owner}`).set(bearer(f)).expect(200);
    const path = `${G}/followers/${owner}`;
    const routed = await get(path, viewer).expect(200);
    const served = await fromShortcut(path, viewer);
    expect(served.text).toBe(routed.text);
    expect(served.headers['content-type']).toBe(routed.headers['content-type']);
    expect(served.headers['etag']).toBe(routed.headers['etag']);
    expect(served.headers['x-request-id']).toBeDefined();
    expect(ids(served)).toEqual([b, a]);
    expect(served.body.total).toBe(2);

    // Another viewer, the owner, the other list and another limit each get their own answer.
    expect((await fromShortcut(path, freshUserId())).text).toBe(routed.text);
    expect((await fromShortcut(path, owner)).text).toBe(routed.text);
    expect(ids(await fromShortcut(`${path}?limit=1`, viewer))).toEqual([b]);
    expect(ids(await fromShortcut(`${G}/following/${a}`, viewer), 'following')).toEqual([owner]);
  });

  it('never answers with a page a write has changed: follows, unfollows, privacy and blocks show at once', async () => {
    const [owner, a, b, viewer] = [freshUserId(), freshUserId(), freshUserId(), freshUserId()];
    const path = `${G}/followers/${owner}`;
    await http().post(`${G}/follow/${owner}`).set(bearer(a)).expect(200);
    await fromShortcut(path, viewer);

    await http().post(`${G}/follow/${owner}`).set(bearer(b)).expect(200);
    let page = await get(path, viewer).expect(200);
    expect(ids(page)).toEqual([b, a]);
    expect(page.body.total).toBe(2);
    expect(ids(await fromShortcut(path, viewer))).toEqual([b, a]);

    await http().delete(`${G}/follow/${owner}`).set(bearer(a)).expect(200);
    page = await get(path, viewer).expect(200);
    expect(ids(page)).toEqual([b]);
    expect(page.body.total).toBe(1);
    await fromShortcut(path, viewer);

    await http().put(`${G}/settings`).set(bearer(owner)).send({ is_private: true }).expect(200);
    await get(path, viewer).expect(403).expect((r) => expect(r.body.error.code).toBe('PRIVATE_ACCOUNT'));
    expect(ids(await get(path, b).expect(200))).toEqual([b]);
    await http().put(`${G}/settings`).set(bearer(owner)).send({ is_private: false }).expect(200);
    await fromShortcut(path, viewer);

    await http().post(`${G}/block/${viewer}`).set(bearer(owner)).expect(200);
    await get(path, viewer).expect(403).expect((r) => expect(r.body.error.code).toBe('BLOCKED'));
    await fromShortcut(path, b);
  });

  it('leaves everything else to the route, which answers as always', async () => {
    const [owner, a, viewer] = [freshUserId(), freshUserId(), freshUserId()];
    await http().post(`${G}/follow/${owner}`).set(bearer(a)).expect(200);
    const path = `${G}/followers/${owner}`;
    const served = await fromShortcut(path, viewer);

    await http().get(path).expect(401);
    await http().get(path).set({ Authorization: 'Bearer nonsense' }).expect(401);
    await get(`${G}/followers/abc`, viewer).expect(400).expect((r) => expect(r.body.error.code).toBe('INVALID_USER_ID'));
    for (const query of ['limit=0', 'limit=101', 'limit=5&x=1', 'cursor=garbage']) {
      await get(`${path}?${query}`, viewer).expect(400);
    }
    const calls = useCase.mock.calls.length;
    const second = await get(`${path}?limit=20&cursor=`, viewer).expect(200);
    expect(useCase.mock.calls.length).toBe(calls + 1);
    expect(second.text).toBe(served.text);
    if (served.headers['etag']) {
      await get(path, viewer).set('If-None-Match', served.headers['etag']).expect(304);
    }
  });
});
