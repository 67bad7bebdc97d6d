import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';

describe('GET /known-followers?ids= (batched)', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const [me, k1, k2, k3, k4, target, hidden, other] = Array.from({ length: 8 }, freshUserId);

  beforeAll(async () => {
    app = await startTestApp();
    for (const k of [k1, k2, k3, k4]) {
      await http().post(`${G}/follow/${k}`).set(bearer(me)).expect(200);
      await http().post(`${G}/follow/${target}`).set(bearer(k)).expect(200);
    }
    await http().put(`${G}/settings`).set(bearer(hidden)).send({ is_private: true }).expect(200);
  });
  afterAll(() => app?.close());

  it('answers count and up to three known followers per id, in order, null where the followers are hidden', async () => {
    const res = await http().get(`${G}/known-followers`).query({ ids: `${target},${other},${hidden}` }).set(bearer(me)).expect(200);
    expect(res.body).toEqual({
      known_followers: [
        { user_id: target, count: 4, sample_ids: [k4, k3, k2] },
        { user_id: other, count: 0, sample_ids: [] },
        { user_id: hidden, count: null, sample_ids: [] },
      ],
    });
  });

  it('refuses a missing or bad id list and more than 100 ids', async () => {
    expect((await http().get(`${G}/known-followers`).set(bearer(me)).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await http().get(`${G}/known-followers`).query({ ids: `${target},x` }).set(bearer(me)).expect(400)).body.error.code).toBe('INVALID_USER_ID');
    const many = Array.from({ length: 101 }, (_, i) => String(1000 + i)).join(',');
    expect((await http().get(`${G}/known-followers`).query({ ids: many }).set(bearer(me)).expect(400)).body.error.code).toBe('TOO_MANY_IDS');
    await http().get(`${G}/known-followers`).query({ ids: target }).expect(401);
  });
});
