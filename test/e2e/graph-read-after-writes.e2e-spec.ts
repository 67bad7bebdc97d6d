import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';

/**
 * The reads seen through the write endpoints, as a newcomer's session would go: a private
 * account, a request, its acceptance, lists, stats, a suggestion, then a block.
 */
describe('reads after writes over HTTP', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('follows a private account by request, accepts it, and every list and counter agrees', async () => {
    const [alice, bob, carol, dave] = [freshUserId(), freshUserId(), freshUserId(), freshUserId()];
    await http().put(`${G}/settings`).set(bearer(alice)).send({ is_private: true }).expect(200);

    expect((await http().post(`${G}/follow/${alice}`).set(bearer(bob)).expect(200)).body).toMatchObject({ status: 'pending' });
    expect((await http().get(`${G}/requests`).set(bearer(alice)).expect(200)).body).toEqual({
      requests: [{ user_id: bob, created_at: expect.any(String) }],
      next_cursor: null,
      total: 1,
    });
    expect((await http().get(`${G}/requests/outgoing`).set(bearer(bob)).expect(200)).body.requests.map((r: { user_id: string }) => r.user_id)).toEqual([alice]);
    expect((await http().get(`${G}/relationship/${alice}`).set(bearer(bob)).expect(200)).body.relationship).toBe('requested');
    expect((await http().get(`${G}/followers/${alice}`).set(bearer(bob)).expect(403)).body.error.code).toBe('PRIVATE_ACCOUNT');
    expect((await http().get(`${G}/stats/${alice}`).set(bearer(carol)).expect(200)).body).toEqual({
      user_id: alice,
      follower_count: 0,
      following_count: 0,
      pending_requests_count: 1,
    });

    await http().post(`${G}/requests/${bob}`).set(bearer(alice)).send({ action: 'accept' }).expect(200);
    expect((await http().get(`${G}/requests`).set(bearer(alice)).expect(200)).body.total).toBe(0);
    const followers = await http().get(`${G}/followers/${alice}`).set(bearer(bob)).expect(200);
    expect(followers.body).toEqual({ followers: [{ user_id: bob, created_at: expect.any(String) }], next_cursor: null, total: 1 });
    expect((await http().get(`${G}/stats/${alice}`).set(bearer(carol)).expect(200)).body).toMatchObject({ follower_count: 1, pending_requests_count: 0 });
    expect((await http().get(`${G}/following/${bob}`).set(bearer(carol)).expect(200)).body.following.map((f: { user_id: string }) => f.user_id)).toEqual([alice]);

    // carol follows bob (public) and bob follows dave: dave is suggested to carol through bob.
    await http().post(`${G}/follow/${bob}`).set(bearer(carol)).expect(200);
    await http().post(`${G}/follow/${dave}`).set(bearer(bob)).expect(200);
    await http().post(`${G}/follow/${bob}`).set(bearer(alice)).expect(200);
    expect((await http().get(`${G}/mutuals/${alice}`).set(bearer(bob)).expect(200)).body.mutuals.map((m: { user_id: string }) => m.user_id)).toEqual([bob]);
    expect((await http().get(`${G}/common-followers/${bob}/${dave}`).set(bearer(carol)).expect(200)).body.total).toBe(0);
    expect((await http().get(`${G}/known-followers/${bob}`).set(bearer(bob)).expect(200)).body.followers.map((f: { user_id: string }) => f.user_id)).toEqual([alice]);
    const recs = (await http().get(`${G}/recommendations`).set(bearer(carol)).expect(200)).body.recommendations;
    expect(recs).toEqual(expect.arrayContaining([{ user_id: dave, mutual_count: 1, sample_mutual_ids: [bob] }, { user_id: alice, mutual_count: 1, sample_mutual_ids: [bob] }]));

    // alice blocks carol: carol cannot see alice's lists, alice sees carol in /blocks.
    await http().post(`${G}/block/${carol}`).set(bearer(alice)).expect(200);
    expect((await http().get(`${G}/following/${alice}`).set(bearer(carol)).expect(403)).body.error.code).toBe('BLOCKED');
    expect((await http().get(`${G}/blocks`).set(bearer(alice)).expect(200)).body.blocks.map((b: { user_id: string }) => b.user_id)).toEqual([carol]);
    expect((await http().get(`${G}/relationship/${alice}`).set(bearer(carol)).expect(200)).body).toMatchObject({ blocked_by: true, relationship: 'blocked' });
    expect((await http().get(`${G}/recommendations`).set(bearer(carol)).expect(200)).body.recommendations.map((r: { user_id: string }) => r.user_id)).not.toContain(alice);
  });
});
