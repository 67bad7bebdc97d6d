import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';

/** Better suggestions (docs/api.md "Suggestions"): samples, dismissals (through the real Redis cache), "people like X". */
describe('suggestions over HTTP', () => {
  let app: INestApplication;
  const [me, hub1, hub2, c1, c2, x, fan1, fan2, like1, like2, priv, blocker] = Array.from({ length: 12 }, () => freshUserId());
  const http = () => request(app.getHttpServer());
  const follow = (who: string, whom: string) => http().post(`${G}/follow/${whom}`).set(bearer(who)).expect(200);
  const suggested = async (query: Record<string, string> = {}) =>
    (await http().get(`${G}/recommendations`).query(query).set(bearer(me)).expect(200)).body.recommendations as { user_id: string; mutual_count: number; sample_mutual_ids: string[] }[];

  beforeAll(async () => {
    app = await startTestApp();
    for (const [a, b] of [
      [me, hub1], [me, hub2], [hub1, c1], [hub2, c1], [hub2, c2],
      [fan1, x], [fan2, x], [fan1, like1], [fan2, like1], [fan2, like2], [hub1, like2],
    ] as const) await follow(a, b);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('gives each suggestion up to three of my followings that follow it', async () => {
    expect(await suggested()).toEqual([
      { user_id: c1, mutual_count: 2, sample_mutual_ids: [hub2, hub1] },
      { user_id: c2, mutual_count: 1, sample_mutual_ids: [hub2] },
      { user_id: like2, mutual_count: 1, sample_mutual_ids: [hub1] },
    ]);
  });

  it('DELETE /recommendations/{id} dismisses for good, idempotently, past the cached list; self is 400 SELF_DISMISS', async () => {
    expect((await suggested()).map((s) => s.user_id)).toContain(c2); // now cached
    expect((await http().delete(`${G}/recommendations/${c2}`).set(bearer(me)).expect(200)).body).toEqual({ success: true, dismissed: true });
    expect((await http().delete(`${G}/recommendations/${c2}`).set(bearer(me)).expect(200)).body).toEqual({ success: true, dismissed: true });
    expect((await suggested()).map((s) => s.user_id)).toEqual([c1, like2]);
    // Only for me: hub1 (who does not follow c2) still gets it through hub2.
    await follow(hub1, hub2);
    expect((await http().get(`${G}/recommendations`).set(bearer(hub1)).expect(200)).body.recommendations.map((s: { user_id: string }) => s.user_id)).toContain(c2);
    expect((await http().delete(`${G}/recommendations/${me}`).set(bearer(me)).expect(400)).body.error.code).toBe('SELF_DISMISS');
    expect((await http().delete(`${G}/recommendations/abc`).set(bearer(me)).expect(400)).body.error.code).toBe('INVALID_USER_ID');
  });

  it('?relative_to={id}: what the followers of X follow, without X and what I follow', async () => {
    expect(await suggested({ relative_to: x })).toEqual([
      { user_id: like1, mutual_count: 2, sample_mutual_ids: [] },
      { user_id: like2, mutual_count: 1, sample_mutual_ids: [hub1] },
    ]);
    await follow(me, like1);
    await http().post(`${G}/mutes/${like2}`).set(bearer(me)).expect(200);
    expect(await suggested({ relative_to: x })).toEqual([]);
    expect((await http().get(`${G}/recommendations`).query({ relative_to: '0' }).set(bearer(me)).expect(400)).body.error).toMatchObject({
      code: 'INVALID_USER_ID',
      details: { field: 'relative_to' },
    });
  });

  it('?relative_to needs the followers of X to be visible: 403 PRIVATE_ACCOUNT, BLOCKED', async () => {
    await http().put(`${G}/settings`).set(bearer(priv)).send({ is_private: true }).expect(200);
    expect((await http().get(`${G}/recommendations`).query({ relative_to: priv }).set(bearer(me)).expect(403)).body.error.code).toBe('PRIVATE_ACCOUNT');
    await http().post(`${G}/block/${me}`).set(bearer(blocker)).expect(200);
    expect((await http().get(`${G}/recommendations`).query({ relative_to: blocker }).set(bearer(me)).expect(403)).body.error.code).toBe('BLOCKED');
  });
});
