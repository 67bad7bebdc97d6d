import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { outboxEntries, outboxPosition } from '../support/graph-inspection';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';
const DEFAULTS = {
  is_private: false,
  followers_visibility: 'public',
  following_visibility: 'public',
  hide_counts: false,
  auto_accept_followed: false,
  request_ttl_days: null,
};

/** The account policies over HTTP, against real Postgres and Redis (docs/api.md "Account policies"). */
describe('account policies over HTTP', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('GET /settings gives every setting; PATCH changes the fields given, PUT the privacy, each answering all of them', async () => {
    const me = freshUserId();
    expect((await http().get(`${G}/settings`).set(bearer(me)).expect(200)).body).toEqual(DEFAULTS);
    const patched = await http().patch(`${G}/settings`).set(bearer(me)).send({ following_visibility: 'private', hide_counts: true, request_ttl_days: 30 }).expect(200);
    expect(patched.body).toEqual({ ...DEFAULTS, following_visibility: 'private', hide_counts: true, request_ttl_days: 30 });
    expect((await http().put(`${G}/settings`).set(bearer(me)).send({ is_private: true }).expect(200)).body).toEqual({ ...patched.body, is_private: true });
    expect((await http().patch(`${G}/settings`).set(bearer(me)).send({ request_ttl_days: null, auto_accept_followed: true }).expect(200)).body).toEqual({
      ...patched.body,
      is_private: true,
      request_ttl_days: null,
      auto_accept_followed: true,
    });
    expect((await http().get(`${G}/settings`).set(bearer(me)).expect(200)).body).toMatchObject({ is_private: true, auto_accept_followed: true, following_visibility: 'private' });
  });

  it('refuses a bad PATCH with VALIDATION_FAILED naming the field, and writes nothing', async () => {
    const me = freshUserId();
    const bad: Array<[object, string]> = [
      [{ followers_visibility: 'friends' }, 'followers_visibility'],
      [{ request_ttl_days: 0 }, 'request_ttl_days'],
      [{ request_ttl_days: 366 }, 'request_ttl_days'],
      [{ request_ttl_days: '7' }, 'request_ttl_days'],
      [{ hide_counts: 'yes' }, 'hide_counts'],
      [{ is_private: true, colour: 'blue' }, 'colour'],
      [{}, 'at least one setting'],
    ];
    for (const [body, field] of bad) {
      const res = await http().patch(`${G}/settings`).set(bearer(me)).send(body);
      expect({ body, status: res.status, code: res.body.error?.code, names: String(res.body.error?.message).includes(field) }).toEqual({
        body,
        status: 400,
        code: 'VALIDATION_FAILED',
        names: true,
      });
    }
    expect((await http().get(`${G}/settings`).set(bearer(me)).expect(200)).body).toEqual(DEFAULTS);
  });

  it('hides a list once its visibility says so, first page (cached before) included; the owner still sees it', async () => {
    const [owner, follower, stranger] = [freshUserId(), freshUserId(), freshUserId()];
    await http().post(`${G}/follow/${owner}`).set(bearer(follower)).expect(200);
    await http().post(`${G}/follow/${follower}`).set(bearer(owner)).expect(200);
    // Read (and so cached) while public.
    for (let i = 0; i < 2; i++) expect((await http().get(`${G}/followers/${owner}`).set(bearer(stranger)).expect(200)).body.total).toBe(1);

    await http().patch(`${G}/settings`).set(bearer(owner)).send({ followers_visibility: 'followers', following_visibility: 'private' }).expect(200);
    for (let i = 0; i < 2; i++) {
      const hidden = await http().get(`${G}/followers/${owner}`).set(bearer(stranger)).expect(403);
      expect(hidden.body.error.code).toBe('LIST_HIDDEN');
    }
    expect((await http().get(`${G}/followers/${owner}`).set(bearer(follower)).expect(200)).body.total).toBe(1);
    expect((await http().get(`${G}/following/${owner}`).set(bearer(follower)).expect(403)).body.error.code).toBe('LIST_HIDDEN');
    expect((await http().get(`${G}/mutuals/${owner}`).set(bearer(follower)).expect(403)).body.error.code).toBe('LIST_HIDDEN');
    expect((await http().get(`${G}/known-followers/${owner}`).set(bearer(stranger)).expect(403)).body.error.code).toBe('LIST_HIDDEN');
    expect((await http().get(`${G}/common-followers/${owner}/${follower}`).set(bearer(stranger)).expect(403)).body.error.code).toBe('LIST_HIDDEN');
    expect((await http().get(`${G}/known-followers?ids=${owner}`).set(bearer(stranger)).expect(200)).body).toMatchObject({
      known_followers: [{ user_id: owner, count: null }],
    });
    expect((await http().get(`${G}/following/${owner}`).set(bearer(owner)).expect(200)).body.total).toBe(1);

    await http().patch(`${G}/settings`).set(bearer(owner)).send({ followers_visibility: 'public' }).expect(200);
    expect((await http().get(`${G}/followers/${owner}`).set(bearer(stranger)).expect(200)).body.total).toBe(1);
  });

  it('hide_counts: /stats answers null for the counts the viewer may not see, exact for the owner', async () => {
    const [owner, follower, stranger] = [freshUserId(), freshUserId(), freshUserId()];
    await http().post(`${G}/follow/${owner}`).set(bearer(follower)).expect(200);
    const exact = { user_id: owner, follower_count: 1, following_count: 0, pending_requests_count: 0 };
    expect((await http().get(`${G}/stats/${owner}`).set(bearer(stranger)).expect(200)).body).toEqual(exact);
    await http().patch(`${G}/settings`).set(bearer(owner)).send({ hide_counts: true, followers_visibility: 'followers' }).expect(200);
    expect((await http().get(`${G}/stats/${owner}`).set(bearer(stranger)).expect(200)).body).toEqual({ ...exact, follower_count: null, pending_requests_count: null });
    expect((await http().get(`${G}/stats/${owner}`).set(bearer(follower)).expect(200)).body).toEqual({ ...exact, pending_requests_count: null });
    expect((await http().get(`${G}/stats/${owner}`).set(bearer(owner)).expect(200)).body).toEqual(exact);
  });
});

describe('following cap and auto_accept_followed over HTTP', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    app = await startTestApp({ FOLLOWING_CAP: '2', FOLLOWING_CAP_RATIO: '1' });
  });
  afterAll(() => app.close());

  it('refuses a follow past the cap with 403 FOLLOW_LIMIT_REACHED, pending requests counted; repeats still answer', async () => {
    const [me, a, priv, c] = [freshUserId(), freshUserId(), freshUserId(), freshUserId()];
    await http().put(`${G}/settings`).set(bearer(priv)).send({ is_private: true }).expect(200);
    await http().post(`${G}/follow/${a}`).set(bearer(me)).expect(200);
    expect((await http().post(`${G}/follow/${priv}`).set(bearer(me)).expect(200)).body.status).toBe('pending');
    const refused = await http().post(`${G}/follow/${c}`).set(bearer(me)).expect(403);
    expect(refused.body.error.code).toBe('FOLLOW_LIMIT_REACHED');
    expect((await http().get(`${G}/relationship/${c}`).set(bearer(me)).expect(200)).body.relationship).toBe('none');
    expect((await http().post(`${G}/follow/${a}`).set(bearer(me)).expect(200)).body.status).toBe('accepted');
    await http().delete(`${G}/follow/${priv}`).set(bearer(me)).expect(200);
    expect((await http().post(`${G}/follow/${c}`).set(bearer(me)).expect(200)).body.status).toBe('accepted');
  });

  it('a private account with auto_accept_followed accepts at once a request from an account it follows', async () => {
    const [owner, friend, stranger] = [freshUserId(), freshUserId(), freshUserId()];
    await http().patch(`${G}/settings`).set(bearer(owner)).send({ is_private: true, auto_accept_followed: true }).expect(200);
    await http().post(`${G}/follow/${friend}`).set(bearer(owner)).expect(200);
    expect((await http().post(`${G}/follow/${owner}`).set(bearer(friend)).expect(200)).body.status).toBe('accepted');
    expect((await http().post(`${G}/follow/${owner}`).set(bearer(stranger)).expect(200)).body.status).toBe('pending');
  });
});

describe('bulk answers to follow requests over HTTP', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('POST /requests accepts or rejects up to 100 requests, each answered; bad input writes nothing', async () => {
    const [owner, a, b, c] = [freshUserId(), freshUserId(), freshUserId(), freshUserId()];
    await http().put(`${G}/settings`).set(bearer(owner)).send({ is_private: true }).expect(200);
    for (const fan of [a, b]) await http().post(`${G}/follow/${owner}`).set(bearer(fan)).expect(200);
    const bad: Array<[object, number, string]> = [
      [{ action: 'accept', follower_ids: [] }, 400, 'VALIDATION_FAILED'],
      [{ action: 'accept', follower_ids: [a, 'x'] }, 400, 'INVALID_USER_ID'],
      [{ action: 'accept', follower_ids: Array.from({ length: 101 }, () => a) }, 400, 'TOO_MANY_IDS'],
      [{ action: 'maybe', follower_ids: [a] }, 400, 'VALIDATION_FAILED'],
      [{ follower_ids: [a] }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of bad) {
      const res = await http().post(`${G}/requests`).set(bearer(owner)).send(body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status, code });
    }
    expect((await http().get(`${G}/requests`).set(bearer(owner)).expect(200)).body.total).toBe(2);

    const answered = await http().post(`${G}/requests`).set(bearer(owner)).send({ action: 'accept', follower_ids: [a, c] }).expect(200);
    expect(answered.body).toEqual({ success: true, results: [{ follower_id: a, status: 'accepted' }, { follower_id: c, status: 'not_found' }] });
    const rejected = await http().post(`${G}/requests`).set(bearer(owner)).send({ action: 'reject', follower_ids: [b] }).expect(200);
    expect(rejected.body.results).toEqual([{ follower_id: b, status: 'rejected' }]);
    expect((await http().get(`${G}/requests`).set(bearer(owner)).expect(200)).body.total).toBe(0);
    expect((await http().get(`${G}/followers/${owner}`).set(bearer(owner)).expect(200)).body.total).toBe(1);
  });
});

describe('request expiry over HTTP', () => {
  let app: INestApplication;
  let db: DataSource;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    app = await startTestApp({ REQUEST_SWEEP_INTERVAL_SECONDS: '1' });
    db = app.get(DataSource);
  });
  afterAll(() => app.close());

  it('the background sweep deletes requests older than request_ttl_days, each with an unfollow event of reason expired', async () => {
    const [owner, old, fresh] = [freshUserId(), freshUserId(), freshUserId()];
    await http().patch(`${G}/settings`).set(bearer(owner)).send({ is_private: true, request_ttl_days: 3 }).expect(200);
    for (const fan of [old, fresh]) await http().post(`${G}/follow/${owner}`).set(bearer(fan)).expect(200);
    const start = await outboxPosition(db);
    await db.query(`UPDATE follows SET created_at = created_at - interval '4 days' WHERE follower_id = $1 AND following_id = $2`, [old, owner]);

    // Waits for the sweeper's next round (every second here), not for a time.
    for (let i = 0; i < 100 && (await http().get(`${G}/requests`).set(bearer(owner))).body.total !== 1; i++) await new Promise((r) => setTimeout(r, 100));
    const left = await http().get(`${G}/requests`).set(bearer(owner)).expect(200);
    expect(left.body.requests.map((r: { user_id: string }) => r.user_id)).toEqual([fresh]);
    expect((await http().get(`${G}/relationship/${owner}`).set(bearer(old)).expect(200)).body.relationship).toBe('none');
    const events = await outboxEntries(db, start, [old]);
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({ event_type: 'unfollow', follower_id: old, following_id: owner, reason: 'expired', previous_status: 'pending' }),
    ]);
  });
});
