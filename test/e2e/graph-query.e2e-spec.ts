import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { UserId } from '@graph/domain';
import { seedGraphSql } from '../support/graph-sql-seed';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const T = (k: number) => 1_740_000_000_000_000n + BigInt(k) * 1_000_001n;

describe('graph reads over HTTP', () => {
  let app: INestApplication;
  let db: DataSource;
  const http = () => request(app.getHttpServer());

  // A small world: OWNER (public) with 5 followers; PRIV (private) followed by FAN, requested by ASKER;
  // BLOCKER blocks BLOCKED; OWNER follows back two of its followers.
  const [OWNER, PRIV, FAN, ASKER, STRANGER, BLOCKER, BLOCKED, F1, F2, F3, F4, F5, SUGGESTED] = Array.from({ length: 13 }, () => freshUserId() as UserId);

  beforeAll(async () => {
    app = await startTestApp();
    db = app.get(DataSource);
    await seedGraphSql(db, {
      edges: [
        ...[F1, F2, F3, F4, F5].map((f, i) => ({ follower: f!, following: OWNER!, status: 'accepted' as const, createdAtUs: T(i) })),
        { follower: OWNER!, following: F1!, status: 'accepted', createdAtUs: T(10) },
        { follower: OWNER!, following: F2!, status: 'accepted', createdAtUs: T(11) },
        { follower: FAN!, following: PRIV!, status: 'accepted', createdAtUs: T(12) },
        { follower: ASKER!, following: PRIV!, status: 'pending', createdAtUs: T(13) },
        { follower: F1!, following: PRIV!, status: 'accepted', createdAtUs: T(14) },
        { follower: STRANGER!, following: F1!, status: 'accepted', createdAtUs: T(15) },
        { follower: F1!, following: SUGGESTED!, status: 'accepted', createdAtUs: T(16) },
        { follower: F2!, following: SUGGESTED!, status: 'accepted', createdAtUs: T(17) },
        { follower: BLOCKED!, following: BLOCKER!, status: 'rejected', createdAtUs: T(18) },
      ],
      blocks: [{ blocker: BLOCKER!, blocked: BLOCKED!, createdAtUs: T(20) }],
      privateUsers: [PRIV!],
    });
  });
  afterAll(() => app.close());

  it('refuses every read without a token', async () => {
    for (const path of [
      `followers/${OWNER}`,
      `following/${OWNER}`,
      `relationship/${OWNER}`,
      `relationships?ids=${OWNER}`,
      `stats/${OWNER}`,
      'requests',
      'requests/outgoing',
      'blocks',
      `common-followers/${OWNER}/${PRIV}`,
      `known-followers/${OWNER}`,
      `mutuals/${OWNER}`,
      'recommendations',
    ]) {
      const res = await http().get(`${G}/${path}`).expect(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
    }
  });

  describe('GET /followers/{userId} and /following/{userId}', () => {
    it('pages followers newest first with string ids, ISO times, a cursor and the total', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await http()
          .get(`${G}/followers/${OWNER}`)
          .query(cursor ? { limit: 2, cursor } : { limit: 2 })
          .set(bearer(STRANGER!))
          .expect(200);
        expect(Object.keys(res.body).sort()).toEqual(['followers', 'next_cursor', 'total']);
        expect(res.body.total).toBe(5);
        for (const f of res.body.followers) {
          expect(typeof f.user_id).toBe('string');
          expect(f.created_at).toMatch(ISO);
        }
        seen.push(...res.body.followers.map((f: { user_id: string }) => f.user_id));
        cursor = res.body.next_cursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual([F5, F4, F3, F2, F1]);
      expect(pages).toBe(3);
      const first = await http().get(`${G}/followers/${OWNER}`).set(bearer(STRANGER!)).expect(200);
      expect(first.body.followers[0]).toEqual({ user_id: F5, created_at: new Date(Number(T(4) / 1000n)).toISOString() });
      expect(first.body.next_cursor).toBeNull();
    });

    it('lists whom a user follows', async () => {
      const res = await http().get(`${G}/following/${OWNER}`).set(bearer(STRANGER!)).expect(200);
      expect(res.body).toEqual({
        following: [
          { user_id: F2, created_at: expect.stringMatching(ISO) },
          { user_id: F1, created_at: expect.stringMatching(ISO) },
        ],
        next_cursor: null,
        total: 2,
      });
    });

    it('refuses bad limits, tampered cursors, cursors of another list, bad ids and unknown parameters', async () => {
      const page = await http().get(`${G}/followers/${OWNER}`).query({ limit: 1 }).set(bearer(STRANGER!)).expect(200);
      const cursor: string = page.body.next_cursor;
      const cases: [string, Record<string, string>, string][] = [
        [`followers/${OWNER}`, { limit: '0' }, 'VALIDATION_FAILED'],
        [`followers/${OWNER}`, { limit: '101' }, 'VALIDATION_FAILED'],
        [`followers/${OWNER}`, { limit: 'ten' }, 'VALIDATION_FAILED'],
        [`followers/${OWNER}`, { cursor: cursor.slice(0, -3) + 'abc' }, 'INVALID_CURSOR'],
        [`followers/${OWNER}`, { cursor: 'not-a-cursor' }, 'INVALID_CURSOR'],
        [`following/${OWNER}`, { cursor }, 'INVALID_CURSOR'],
        [`followers/${F1}`, { cursor }, 'INVALID_CURSOR'],
        [`followers/${OWNER}`, { offset: '10' }, 'VALIDATION_FAILED'],
        ['followers/0', {}, 'INVALID_USER_ID'],
        ['followers/-3', {}, 'INVALID_USER_ID'],
        ['followers/12abc', {}, 'INVALID_USER_ID'],
        ['followers/9223372036854775808', {}, 'INVALID_USER_ID'],
        ['following/1.5', {}, 'INVALID_USER_ID'],
      ];
      for (const [path, query, code] of cases) {
        const res = await http().get(`${G}/${path}`).query(query).set(bearer(STRANGER!));
        expect({ path, query, status: res.status, code: res.body.error?.code }).toEqual({ path, query, status: 400, code });
      }
      const limit = await http().get(`${G}/followers/${OWNER}`).query({ limit: '0' }).set(bearer(STRANGER!));
      expect(limit.body.error.message).toMatch(/limit/);
      const id = await http().get(`${G}/followers/abc`).set(bearer(STRANGER!));
      expect(id.body.error.message).toMatch(/userId/);
      await http().get(`${G}/followers/${OWNER}`).query({ limit: '100' }).set(bearer(STRANGER!)).expect(200);
    });

    it('shows a private account lists to itself and its accepted followers only', async () => {
      for (const path of [`followers/${PRIV}`, `following/${PRIV}`, `mutuals/${PRIV}`, `known-followers/${PRIV}`, `common-followers/${OWNER}/${PRIV}`]) {
        for (const viewer of [STRANGER, ASKER]) {
          const res = await http().get(`${G}/${path}`).set(bearer(viewer!)).expect(403);
          expect(res.body.error.code).toBe('PRIVATE_ACCOUNT');
        }
        await http().get(`${G}/${path}`).set(bearer(FAN!)).expect(200);
        await http().get(`${G}/${path}`).set(bearer(PRIV!)).expect(200);
      }
      const res = await http().get(`${G}/followers/${PRIV}`).set(bearer(FAN!)).expect(200);
      expect(res.body.followers.map((f: { user_id: string }) => f.user_id)).toEqual([F1, FAN]);
      // Counts stay public.
      const stats = await http().get(`${G}/stats/${PRIV}`).set(bearer(STRANGER!)).expect(200);
      expect(stats.body).toEqual({ user_id: PRIV, follower_count: 2, following_count: 0, pending_requests_count: 1 });
    });

    it('answers 403 BLOCKED to a user the account blocks, and lets the blocker look', async () => {
      for (const path of [`followers/${BLOCKER}`, `following/${BLOCKER}`, `mutuals/${BLOCKER}`, `known-followers/${BLOCKER}`, `common-followers/${OWNER}/${BLOCKER}`]) {
        const res = await http().get(`${G}/${path}`).set(bearer(BLOCKED!)).expect(403);
        expect(res.body.error.code).toBe('BLOCKED');
      }
      await http().get(`${G}/followers/${BLOCKED}`).set(bearer(BLOCKER!)).expect(200);
    });
  });

  describe('GET /relationship/{userId} and /relationships', () => {
    it('describes the caller towards one user', async () => {
      const res = await http().get(`${G}/relationship/${F1}`).set(bearer(OWNER!)).expect(200);
      expect(res.body).toEqual({
        user_id: F1,
        following: true,
        followed_by: true,
        mutual: true,
        requested: false,
        requested_by: false,
        blocking: false,
        blocked_by: false,
        relationship: 'mutual',
        notifying: false,
        showing_reposts: true,
        languages: null,
        muting: false,
        muting_notifications: false,
        muting_expires_at: null,
      });
      const asker = await http().get(`${G}/relationship/${PRIV}`).set(bearer(ASKER!)).expect(200);
      expect(asker.body).toMatchObject({ requested: true, following: false, relationship: 'requested' });
      const blocked = await http().get(`${G}/relationship/${BLOCKER}`).set(bearer(BLOCKED!)).expect(200);
      expect(blocked.body).toMatchObject({ blocked_by: true, blocking: false, requested: false, relationship: 'blocked' });
      await http().get(`${G}/relationship/0`).set(bearer(OWNER!)).expect(400);
    });

    it('answers many ids in the order asked and refuses more than 100', async () => {
      const res = await http().get(`${G}/relationships`).query({ ids: `${F3},${F1},${STRANGER},${F1}` }).set(bearer(OWNER!)).expect(200);
      expect(res.body.relationships.map((r: { user_id: string; relationship: string }) => [r.user_id, r.relationship])).toEqual([
        [F3, 'followed_by'],
        [F1, 'mutual'],
        [STRANGER, 'none'],
        [F1, 'mutual'],
      ]);
      const hundred = Array.from({ length: 100 }, (_, i) => String(1000 + i)).join(',');
      expect((await http().get(`${G}/relationships`).query({ ids: hundred }).set(bearer(OWNER!)).expect(200)).body.relationships).toHaveLength(100);
      const tooMany = await http().get(`${G}/relationships`).query({ ids: `${hundred},5` }).set(bearer(OWNER!)).expect(400);
      expect(tooMany.body.error.code).toBe('TOO_MANY_IDS');
      const bad = await http().get(`${G}/relationships`).query({ ids: `${F1},x` }).set(bearer(OWNER!)).expect(400);
      expect(bad.body.error).toMatchObject({ code: 'INVALID_USER_ID', message: expect.stringContaining('ids[1]') });
      expect((await http().get(`${G}/relationships`).set(bearer(OWNER!)).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('GET /stats/{userId}', () => {
    it('gives the exact counters, zeros for an unknown user', async () => {
      expect((await http().get(`${G}/stats/${OWNER}`).set(bearer(STRANGER!)).expect(200)).body).toEqual({
        user_id: OWNER,
        follower_count: 5,
        following_count: 2,
        pending_requests_count: 0,
      });
      const unknown = freshUserId();
      expect((await http().get(`${G}/stats/${unknown}`).set(bearer(STRANGER!)).expect(200)).body).toEqual({
        user_id: unknown,
        follower_count: 0,
        following_count: 0,
        pending_requests_count: 0,
      });
      expect((await http().get(`${G}/stats/abc`).set(bearer(STRANGER!)).expect(400)).body.error.code).toBe('INVALID_USER_ID');
    });
  });

  describe("the caller's own lists", () => {
    it('GET /requests lists incoming pending requests', async () => {
      const res = await http().get(`${G}/requests`).set(bearer(PRIV!)).expect(200);
      expect(res.body).toEqual({ requests: [{ user_id: ASKER, created_at: expect.stringMatching(ISO) }], next_cursor: null, total: 1 });
      expect((await http().get(`${G}/requests`).set(bearer(BLOCKER!)).expect(200)).body).toEqual({ requests: [], next_cursor: null, total: 0 });
      expect((await http().get(`${G}/requests`).query({ limit: 101 }).set(bearer(PRIV!)).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    });

    it('GET /requests/outgoing lists outgoing pending requests', async () => {
      const res = await http().get(`${G}/requests/outgoing`).set(bearer(ASKER!)).expect(200);
      expect(res.body).toEqual({ requests: [{ user_id: PRIV, created_at: expect.stringMatching(ISO) }], next_cursor: null, total: 1 });
      // A request's cursor is bound to its list: it does not page the incoming one.
      const other = await http().get(`${G}/requests/outgoing`).query({ limit: 1 }).set(bearer(PRIV!)).expect(200);
      expect(other.body.total).toBe(0);
    });

    it('GET /blocks lists whom the caller blocks', async () => {
      const res = await http().get(`${G}/blocks`).set(bearer(BLOCKER!)).expect(200);
      expect(res.body).toEqual({ blocks: [{ user_id: BLOCKED, created_at: new Date(Number(T(20) / 1000n)).toISOString() }], next_cursor: null, total: 1 });
      expect((await http().get(`${G}/blocks`).set(bearer(BLOCKED!)).expect(200)).body.total).toBe(0);
      expect((await http().get(`${G}/blocks`).query({ cursor: 'x.y' }).set(bearer(BLOCKER!)).expect(400)).body.error.code).toBe('INVALID_CURSOR');
    });
  });

  describe('derived lists', () => {
    it('GET /common-followers/{a}/{b} lists users following both', async () => {
      const res = await http().get(`${G}/common-followers/${OWNER}/${PRIV}`).set(bearer(PRIV!)).expect(200);
      expect(res.body).toEqual({ followers: [{ user_id: F1, created_at: expect.stringMatching(ISO) }], next_cursor: null, total: 1 });
      expect((await http().get(`${G}/common-followers/${OWNER}/x`).set(bearer(PRIV!)).expect(400)).body.error.message).toMatch(/userB/);
    });

    it('GET /known-followers/{userId} lists followers the caller follows', async () => {
      const res = await http().get(`${G}/known-followers/${OWNER}`).set(bearer(STRANGER!)).expect(200);
      expect(res.body).toEqual({ followers: [{ user_id: F1, created_at: expect.stringMatching(ISO) }], next_cursor: null, total: 1 });
      expect((await http().get(`${G}/known-followers/${OWNER}`).set(bearer(F5!)).expect(200)).body.total).toBe(0);
    });

    it('GET /mutuals/{userId} lists followers followed back, paged', async () => {
      const first = await http().get(`${G}/mutuals/${OWNER}`).query({ limit: 1 }).set(bearer(STRANGER!)).expect(200);
      expect(first.body).toEqual({ mutuals: [{ user_id: F2, created_at: expect.stringMatching(ISO) }], next_cursor: expect.any(String), total: 2 });
      const second = await http().get(`${G}/mutuals/${OWNER}`).query({ limit: 1, cursor: first.body.next_cursor }).set(bearer(STRANGER!)).expect(200);
      expect(second.body).toEqual({ mutuals: [{ user_id: F1, created_at: expect.stringMatching(ISO) }], next_cursor: null, total: 2 });
    });
  });

  describe('GET /recommendations', () => {
    it('suggests friends of friends ranked by mutual count, excluding what the caller already follows', async () => {
      const res = await http().get(`${G}/recommendations`).set(bearer(OWNER!)).expect(200);
      expect(res.body.recommendations[0]).toEqual({ user_id: SUGGESTED, mutual_count: 2, sample_mutual_ids: [F2, F1] });
      expect(res.body.recommendations.map((r: { user_id: string }) => r.user_id)).not.toContain(F1);
      expect(res.body.recommendations.map((r: { user_id: string }) => r.user_id)).not.toContain(OWNER);
      const one = await http().get(`${G}/recommendations`).query({ limit: 1 }).set(bearer(OWNER!)).expect(200);
      expect(one.body).toEqual({ recommendations: [{ user_id: SUGGESTED, mutual_count: 2, sample_mutual_ids: [F2, F1] }] });
      expect((await http().get(`${G}/recommendations`).set(bearer(freshUserId())).expect(200)).body).toEqual({ recommendations: [] });
      for (const limit of ['0', '51', 'x']) {
        expect((await http().get(`${G}/recommendations`).query({ limit }).set(bearer(OWNER!)).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
      }
    });
  });

  it('documents every read route in Swagger with bearer auth', async () => {
    const spec = (await http().get('/docs-json').expect(200)).body;
    for (const path of [
      '/api/v1/graph/followers/{userId}',
      '/api/v1/graph/following/{userId}',
      '/api/v1/graph/relationship/{userId}',
      '/api/v1/graph/relationships',
      '/api/v1/graph/stats/{userId}',
      '/api/v1/graph/requests',
      '/api/v1/graph/requests/outgoing',
      '/api/v1/graph/blocks',
      '/api/v1/graph/common-followers/{userA}/{userB}',
      '/api/v1/graph/known-followers/{userId}',
      '/api/v1/graph/mutuals/{userId}',
      '/api/v1/graph/recommendations',
    ]) {
      expect(spec.paths[path]?.get?.security).toEqual(expect.arrayContaining([{ bearer: [] }]));
    }
    expect(spec.paths['/api/v1/graph/followers/{userId}'].get.description).toMatch(/BLOCKED/);
  });
});

describe('graph reads on fastify', () => {
  it('serves the same shapes', async () => {
    const app = await startTestApp({ HTTP_ADAPTER: 'fastify' });
    try {
      const [a, b] = [freshUserId(), freshUserId()] as UserId[];
      await seedGraphSql(app.get(DataSource), { edges: [{ follower: a!, following: b!, status: 'accepted' }] });
      const res = await request(app.getHttpServer()).get(`${G}/followers/${b}`).set(bearer(a!)).expect(200);
      expect(res.body).toEqual({ followers: [{ user_id: a, created_at: expect.stringMatching(ISO) }], next_cursor: null, total: 1 });
      const rels = await request(app.getHttpServer()).get(`${G}/relationships?ids=${b},${a}`).set(bearer(a!)).expect(200);
      expect(rels.body.relationships.map((r: { relationship: string }) => r.relationship)).toEqual(['following', 'none']);
      expect((await request(app.getHttpServer()).get(`${G}/followers/${b}?limit=0`).set(bearer(a!)).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    } finally {
      await app.close();
    }
  });
});
