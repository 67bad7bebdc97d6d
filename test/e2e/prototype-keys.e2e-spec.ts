import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

/** Issue #17, hole 8: `__proto__` and `constructor` keys are unknown fields like any other (400, nothing written). */
describe.each(['express', 'fastify'])('prototype keys in a body on %s', (adapter) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await startTestApp({ HTTP_ADAPTER: adapter });
  });
  afterAll(async () => app?.close());

  it.each([
    ['__proto__', '{"is_private":true,"__proto__":{"admin":true}}'],
    ['constructor', '{"is_private":true,"constructor":{"prototype":{"admin":true}}}'],
    ['nested __proto__', '{"is_private":true,"x":{"__proto__":1}}'],
  ])('refuses %s with 400 in the documented shape and writes nothing', async (_, body) => {
    const user = freshUserId();
    const res = await request(app.getHttpServer()).put('/api/v1/graph/settings').set(bearer(user)).set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String), request_id: expect.any(String) }));
    expect((await request(app.getHttpServer()).get('/api/v1/graph/settings').set(bearer(user)).expect(200)).body.is_private).toBe(false);
  });
});
