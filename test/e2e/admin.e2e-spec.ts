import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { UserId } from '@graph/domain';
import { createDataSource } from '@graph/infrastructure';
import { AdminAudit } from '../../apps/graph-service/src/http/admin/admin-audit.interceptor';
import { CounterDriftScheduler } from '../../apps/graph-service/src/observability/counter-drift.scheduler';
import { testInfra } from '../setup/test-infra';
import { counterDrift, outboxEntries, outboxPosition, storedCounts } from '../support/graph-inspection';
import { seedGraphSql } from '../support/graph-sql-seed';
import { freePort } from '../support/spare-services';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const A = '/api/v1/admin/graph';
const ADMIN = bearer('1', { admin: true });
const USER = bearer('2');

/** Every admin call, with a body that would be valid, for the refusal checks. */
const CALLS: [method: 'get' | 'post' | 'put' | 'delete', path: string, body: object | null][] = [
  ['get', `${A}/consistency/drift`, null],
  ['post', `${A}/consistency/users/42/repair`, null],
  ['post', `${A}/consistency/repairs`, null],
  ['get', `${A}/consistency/repairs/00000000-0000-4000-8000-000000000000`, null],
  ['post', `${A}/cache/warm`, { count: 1 }],
  ['delete', `${A}/cache/users/42`, null],
  ['delete', `${A}/cache`, null],
  ['get', `${A}/cache/hit-rates`, null],
  ['get', `${A}/events/outbox`, null],
  ['post', `${A}/events/outbox/retry`, null],
  ['post', `${A}/events/outbox/00000000-0000-4000-8000-000000000000/retry`, null],
  ['post', `${A}/events/users/42/replay`, { since: '2026-01-01T00:00:00Z' }],
  ['put', `${A}/users/42/privacy`, { is_private: true }],
  ['delete', `${A}/users/42`, null],
  ['post', `${A}/imports`, null],
  ['get', `${A}/imports/00000000-0000-4000-8000-000000000000`, null],
];

let db: DataSource;
beforeAll(async () => {
  db = createDataSource(testInfra.databaseUrl, 4, 30000);
  await db.initialize();
});
afterAll(() => db.destroy());

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Adds `by` to the stored follower count of `userId` (a drift the write path never makes). */
async function corrupt(userId: string, by = 5): Promise<void> {
  await db.query(
    `INSERT INTO user_graph_stats (user_id, slot, follower_count) VALUES ($1, 0, $2)
     ON CONFLICT (user_id, slot) DO UPDATE SET follower_count = user_graph_stats.follower_count + $2`,
    [userId, by],
  );
}

// Kafka off: outbox rows stay where the tests can see them (no relay), and failing rows stay failing.
describe('the admin API', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startTestApp({ KAFKA_BROKERS: undefined });
  });
  afterAll(() => app.close());

  describe('refuses callers who are not admins', () => {
    it.each(CALLS)('%s %s: 401 without a token, 403 FORBIDDEN with a user token', async (method, path, body) => {
      const call = (headers: Record<string, string>) => {
        const req = http()[method](path).set(headers);
        return body ? req.send(body) : req;
      };
      const noToken = await call({});
      expect(noToken.status).toBe(401);
      expect(noToken.body.error.code).toBe('UNAUTHORIZED');
      const user = await call(USER);
      expect(user.status).toBe(403);
      expect(user.body.error).toMatchObject({ code: 'FORBIDDEN', request_id: expect.any(String) });
    });
  });

  it.each(CALLS.filter(([, path]) => path.includes('/42')))('%s %s refuses a malformed user id, naming it', async (method, path, body) => {
    const req = http()[method](path.replace('/42', '/0042x')).set(ADMIN);
    const res = await (body ? req.send(body) : req);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_USER_ID', details: { field: 'userId' } });
  });

  it('refuses a drift report `after` that is not a user id, naming it', async () => {
    const res = await http().get(`${A}/consistency/drift`).query({ after: '-1' }).set(ADMIN).expect(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_USER_ID', details: { field: 'after' } });
  });

  it('writes one audit line per admin call: who, what, on what, how it ended', async () => {
    const audit = jest.spyOn(app.get(AdminAudit), 'record');
    try {
      await http().delete(`${A}/cache/users/77`).set(ADMIN).expect(200);
      await http().post(`${A}/consistency/users/abc/repair`).set(ADMIN).expect(400);
      expect(audit.mock.calls.map((c) => c[0])).toEqual([
        { admin: '1', operation: 'evictUserCache', target: 'userId=77', outcome: 'ok' },
        { admin: '1', operation: 'repairUserCounters', target: 'userId=abc', outcome: 'INVALID_USER_ID' },
      ]);
    } finally {
      audit.mockRestore();
    }
  });

  describe('consistency', () => {
    it('reports drifted users with stored and real figures, and repairs one user', async () => {
      const [alice, bob, carol] = [freshUserId(), freshUserId(), freshUserId()] as UserId[];
      const before = (BigInt(alice!) - 1n).toString();
      await seedGraphSql(db, { edges: [{ follower: alice, following: bob, status: 'accepted' }, { follower: carol, following: bob, status: 'accepted' }] });
      await corrupt(bob, 5);

      const report = await http().get(`${A}/consistency/drift`).query({ after: before, limit: 10 }).set(ADMIN).expect(200);
      expect(report.body.drifted).toEqual([
        { user_id: bob, stored: { followers: 7, following: 0, pending: 0 }, actual: { followers: 2, following: 0, pending: 0 } },
      ]);
      expect(report.body.checked).toBeGreaterThanOrEqual(3);

      const repaired = await http().post(`${A}/consistency/users/${bob}/repair`).set(ADMIN).expect(200);
      expect(repaired.body).toEqual({
        user_id: bob,
        before: { followers: 7, following: 0, pending: 0 },
        after: { followers: 2, following: 0, pending: 0 },
        changed: true,
      });
      expect(await counterDrift(db, [alice, bob, carol])).toEqual([]);
      const stats = await http().get(`/api/v1/graph/stats/${bob}`).set(bearer(alice)).expect(200);
      expect(stats.body.follower_count).toBe(2);
      const again = await http().post(`${A}/consistency/users/${bob}/repair`).set(ADMIN).expect(200);
      expect(again.body.changed).toBe(false);
      const clean = await http().get(`${A}/consistency/drift`).query({ after: before }).set(ADMIN).expect(200);
      expect(clean.body.drifted.filter((d: { user_id: UserId }) => [alice, bob, carol].includes(d.user_id))).toEqual([]);
    });

    it('pages the report: limit drifted users per page, next_after continues', async () => {
      const users = [freshUserId(), freshUserId(), freshUserId()];
      const before = (BigInt(users[0]!) - 1n).toString();
      for (const u of users) await corrupt(u, 1);
      const first = await http().get(`${A}/consistency/drift`).query({ after: before, limit: 2 }).set(ADMIN).expect(200);
      expect(first.body.drifted.map((d: { user_id: string }) => d.user_id)).toEqual(users.slice(0, 2));
      expect(first.body.next_after).toBe(users[1]);
      const second = await http().get(`${A}/consistency/drift`).query({ after: first.body.next_after, limit: 2 }).set(ADMIN).expect(200);
      expect(second.body.drifted.map((d: { user_id: string }) => d.user_id)[0]).toBe(users[2]);
      for (const u of users) await http().post(`${A}/consistency/users/${u}/repair`).set(ADMIN).expect(200);
      await http().get(`${A}/consistency/drift`).query({ limit: 0 }).set(ADMIN).expect(400);
    });

    it('repairs every user as a job whose progress can be watched, while follows keep working', async () => {
      // A large graph: 3,000 users in a ring of follows, every 50th counter wrong.
      const n = 3000;
      const ids = Array.from({ length: n }, () => freshUserId() as UserId);
      const edges = ids.flatMap((u, i) => [1, 2, 3, 7].map((d) => ({ follower: u, following: ids[(i + d) % n]!, status: 'accepted' as const })));
      await seedGraphSql(db, { edges });
      const corrupted = ids.filter((_, i) => i % 50 === 0);
      for (const u of corrupted) await corrupt(u, 3);

      const started = await http().post(`${A}/consistency/repairs`).set(ADMIN).expect(202);
      expect(started.body).toMatchObject({ job_id: expect.any(String), state: 'running' });
      const twice = await http().post(`${A}/consistency/repairs`).set(ADMIN).expect(202);
      expect(twice.body.job_id).toBe(started.body.job_id);

      // Follows of the repaired users while the job runs: all succeed, and they are not held until it ends.
      let whileRunning = 0;
      const followers = Array.from({ length: 40 }, () => freshUserId());
      let job = started.body;
      let k = 0;
      while (job.state === 'running' || k < 40) {
        await http().post(`/api/v1/graph/follow/${corrupted[k % corrupted.length]}`).set(bearer(followers[k % followers.length]!)).expect(200);
        k++;
        job = (await http().get(`${A}/consistency/repairs/${started.body.job_id}`).set(ADMIN).expect(200)).body;
        if (job.state === 'running') whileRunning++;
        if (k > 2000) break;
      }
      expect([job.state, job.error]).toEqual(['succeeded', null]);
      expect(job.progress.checked).toBeGreaterThanOrEqual(n);
      expect(job.progress.drifted).toBeGreaterThanOrEqual(corrupted.length);
      expect(job.progress.repaired).toBeGreaterThanOrEqual(corrupted.length);
      expect(whileRunning).toBeGreaterThan(0);
      expect(await counterDrift(db, [...corrupted, ...followers])).toEqual([]);
      await http().get(`${A}/consistency/repairs/00000000-0000-4000-8000-000000000000`).set(ADMIN).expect(404);
    });

    it('the scheduled check exports the drift it finds as graph_stats_drift_users', async () => {
      const u = freshUserId();
      await corrupt(u, 2);
      await app.get(CounterDriftScheduler).runOnce();
      const metrics = await http().get('/metrics').expect(200);
      const value = Number(/^graph_stats_drift_users (\d+)/m.exec(metrics.text)?.[1]);
      expect(value).toBeGreaterThanOrEqual(1);
      await http().post(`${A}/consistency/users/${u}/repair`).set(ADMIN).expect(200);
    });
  });

  describe('cache', () => {
    it('warms the most-followed users, rendered first pages included, then serves them as hits', async () => {
      const warmed = await http().post(`${A}/cache/warm`).send({ count: 2 }).set(ADMIN).expect(200);
      expect(warmed.body.warmed_user_ids).toHaveLength(2);
      expect(warmed.body.rendered_pages).toBeGreaterThanOrEqual(0);
      const top = warmed.body.warmed_user_ids[0];
      const hitsOf = async () =>
        ((await http().get(`${A}/cache/hit-rates`).set(ADMIN).expect(200)).body.families as { family: string; hits: number }[]).find(
          (f) => f.family === 'followers',
        )?.hits ?? 0;
      const before = await hitsOf();
      await http().get(`/api/v1/graph/followers/${top}`).set(bearer(freshUserId())).expect(200);
      expect(await hitsOf()).toBe(before + 1);
      await http().post(`${A}/cache/warm`).send({ count: 0 }).set(ADMIN).expect(400);
    });

    it('evicts one user and drops everything', async () => {
      const [alice, bob] = [freshUserId(), freshUserId()];
      await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200);
      await http().get(`/api/v1/graph/stats/${bob}`).set(bearer(alice)).expect(200);
      await corrupt(bob, 4);
      // Cached: the corrupt row is not seen until the entry is evicted.
      expect((await http().get(`/api/v1/graph/stats/${bob}`).set(bearer(alice))).body.follower_count).toBe(1);
      await http().delete(`${A}/cache/users/${bob}`).set(ADMIN).expect(200, { success: true });
      expect((await http().get(`/api/v1/graph/stats/${bob}`).set(bearer(alice))).body.follower_count).toBe(5);
      await http().post(`${A}/consistency/users/${bob}/repair`).set(ADMIN).expect(200);
      await http().get(`/api/v1/graph/stats/${bob}`).set(bearer(alice)).expect(200);
      await db.query(`UPDATE user_graph_stats SET follower_count = follower_count + 1 WHERE user_id = $1 AND slot = $2`, [bob, Number(BigInt(alice) % 16n)]);
      await http().delete(`${A}/cache`).set(ADMIN).expect(200, { success: true });
      expect((await http().get(`/api/v1/graph/stats/${bob}`).set(bearer(alice))).body.follower_count).toBe(2);
      await http().post(`${A}/consistency/users/${bob}/repair`).set(ADMIN).expect(200);
    });
  });

  describe('events', () => {
    it('shows the backlog with failing rows and their error, and retries one or all', async () => {
      const key = freshUserId();
      const [row] = await db.query(
        `INSERT INTO outbox_events (event_id, topic, message_key, payload, attempts, last_error, created_at)
         VALUES (gen_random_uuid(), 'graph.follow', $1, '{}'::jsonb, 3, 'broker down', now() - interval '5 seconds') RETURNING event_id::text`,
        [key],
      );
      const backlog = await http().get(`${A}/events/outbox`).query({ failing_limit: 1000 }).set(ADMIN).expect(200);
      expect(backlog.body).toMatchObject({ pending: expect.any(Number), failing: expect.any(Number), relay_running: false });
      // Oldest by commit order (id): rows other suites left pending may come first, so only "some age".
      expect(backlog.body.pending).toBeGreaterThanOrEqual(1);
      expect(backlog.body.oldest_pending_age_seconds).toBeGreaterThanOrEqual(0);
      expect(backlog.body.failing_events).toContainEqual(
        expect.objectContaining({ event_id: row.event_id, key, attempts: 3, last_error: 'broker down' }),
      );
      await http().post(`${A}/events/outbox/${row.event_id}/retry`).set(ADMIN).expect(200, { retried: 1 });
      await http().post(`${A}/events/outbox/${row.event_id}/retry`).set(ADMIN).expect(404);
      await http().post(`${A}/events/outbox/not-a-uuid/retry`).set(ADMIN).expect(400);
      await db.query(`UPDATE outbox_events SET last_error = 'again' WHERE event_id = $1`, [row.event_id]);
      const all = await http().post(`${A}/events/outbox/retry`).set(ADMIN).expect(200);
      expect(all.body.retried).toBeGreaterThanOrEqual(1);
      await db.query(`DELETE FROM outbox_events WHERE event_id = $1`, [row.event_id]);
    });

    it("replays a user's current edges since a time as fresh follow events, with each follow's options", async () => {
      const [alice, bob, carol] = [freshUserId(), freshUserId(), freshUserId()];
      await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).send({ notify: true, languages: ['de'] }).expect(200);
      await http().post(`/api/v1/graph/follow/${alice}`).set(bearer(carol)).expect(200);
      const start = await outboxPosition(db);
      const replay = await http().post(`${A}/events/users/${alice}/replay`).send({ since: '2020-01-01T00:00:00Z' }).set(ADMIN).expect(200);
      expect(replay.body).toEqual({ events: 2 });
      const events = await outboxEntries(db, start, [alice]);
      expect(events.map((e) => [e.topic, e.key, e.payload.follower_id, e.payload.following_id, (e.payload as { metadata?: object }).metadata])).toEqual(
        expect.arrayContaining([
          ['graph.follow', alice, alice, bob, { is_mutual: false, replayed: true }],
          ['graph.follow', carol, carol, alice, { is_mutual: false, replayed: true }],
        ]),
      );
      const options = (follower: string) => (events.find((e) => e.payload.follower_id === follower)!.payload as { options?: object }).options;
      expect(options(alice)).toEqual({ notify: true, reposts: true, languages: ['de'] });
      expect(options(carol)).toEqual({ notify: false, reposts: true, languages: null });
      const future = await http().post(`${A}/events/users/${alice}/replay`).send({ since: '2999-01-01T00:00:00Z' }).set(ADMIN).expect(200);
      expect(future.body).toEqual({ events: 0 });
      await http().post(`${A}/events/users/${alice}/replay`).send({ since: 'yesterday' }).set(ADMIN).expect(400);
    });
  });

  describe('users', () => {
    it("sets an account's privacy as the user would", async () => {
      const u = freshUserId();
      await http().put(`${A}/users/${u}/privacy`).send({ is_private: true }).set(ADMIN).expect(200, { user_id: u, is_private: true, changed: true });
      await http().put(`${A}/users/${u}/privacy`).send({ is_private: true }).set(ADMIN).expect(200, { user_id: u, is_private: true, changed: false });
      await http().get('/api/v1/graph/settings').set(bearer(u)).expect(200).expect((r) => expect(r.body).toMatchObject({ is_private: true }));
      await http().put(`${A}/users/${u}/privacy`).send({ is_private: 'yes' }).set(ADMIN).expect(400);
    });

    it('erases a user: edges both ways, counters fixed, unfollow events with reason erased', async () => {
      const [alice, bob, carol] = [freshUserId(), freshUserId(), freshUserId()];
      await http().post(`/api/v1/graph/follow/${bob}`).set(bearer(alice)).expect(200);
      await http().post(`/api/v1/graph/follow/${alice}`).set(bearer(carol)).expect(200);
      const start = await outboxPosition(db);
      await http().delete(`${A}/users/${alice}`).set(ADMIN).expect(200, { user_id: alice, removed_edges: 2 });
      await http().delete(`${A}/users/${alice}`).set(ADMIN).expect(200, { user_id: alice, removed_edges: 0 });
      expect(await storedCounts(db, bob)).toEqual({ followers: 0, following: 0, pending: 0 });
      expect(await storedCounts(db, carol)).toEqual({ followers: 0, following: 0, pending: 0 });
      const events = await outboxEntries(db, start, [alice]);
      expect(events.map((e) => (e.payload as { reason?: string }).reason)).toEqual(['erased', 'erased']);
    });
  });
});

/** Small, so the refusal tests send little; the lists of the other tests are far below it. */
const UPLOAD_MAX_BYTES = 4096;

/** POSTs `chunks` one by one without a Content-Length (chunked), as a streaming client does. */
async function chunkedUpload(port: number, path: string, headers: Record<string, string>, chunks: string[]): Promise<{ status: number; body: { job_id?: string; error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { ...headers, 'Transfer-Encoding': 'chunked', Connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe.each(['express', 'fastify'])('edge-list import jobs on %s', (adapter) => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startTestApp({ KAFKA_BROKERS: undefined, HTTP_ADAPTER: adapter, IMPORT_UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES) });
  });
  afterAll(() => app.close());

  async function upload(body: string | Buffer, type: string, query: Record<string, string> = {}) {
    const res = await http().post(`${A}/imports`).query(query).set(ADMIN).set('Content-Type', type).send(body).expect(202);
    expect(res.body).toMatchObject({ job_id: expect.any(String), state: 'running' });
    const read = async () => (await http().get(`${A}/imports/${res.body.job_id}`).set(ADMIN).expect(200)).body;
    return until(read, (job) => job.state !== 'running');
  }

  it('imports a list, counts duplicates and self-loops, and a re-run changes nothing', async () => {
    const [a, b, c] = [freshUserId(), freshUserId(), freshUserId()];
    const list = `# a comment\n${a} ${b}\n${b}\t${c}\n${a} ${b}\n${c} ${c}\n\n${c} ${a}\r\n`;
    const job = await upload(list, 'text/plain');
    expect(job.state).toBe('succeeded');
    expect(job.outcome).toMatchObject({ lines: 5, loaded: 3, duplicates: 1, self_loops: 1, blocked: 0, affected_users: 3, events: 0 });
    expect(job.progress).toMatchObject({ phase: 'done', lines: 5, edges: 4, fraction: 1 });
    expect(await storedCounts(db, b)).toEqual({ followers: 1, following: 1, pending: 0 });
    expect(await counterDrift(db, [a, b, c])).toEqual([]);

    const rerun = await upload(gzipSync(list), 'application/gzip');
    expect(rerun.outcome).toMatchObject({ loaded: 0, duplicates: 4, self_loops: 1 });
    expect(await storedCounts(db, b)).toEqual({ followers: 1, following: 1, pending: 0 });
  });

  it('drops the cache entries of the users it touched and emits events only when asked', async () => {
    const [a, b] = [freshUserId(), freshUserId()];
    await http().get(`/api/v1/graph/stats/${b}`).set(bearer(a)).expect(200);
    const start = await outboxPosition(db);
    const job = await upload(`${a} ${b}\n`, 'text/plain', { events: 'true' });
    expect(job.outcome).toMatchObject({ loaded: 1, events: 1 });
    expect((await http().get(`/api/v1/graph/stats/${b}`).set(bearer(a))).body.follower_count).toBe(1);
    const events = await outboxEntries(db, start, [a]);
    expect(events).toEqual([
      expect.objectContaining({ topic: 'graph.follow', key: a, payload: expect.objectContaining({ follower_id: a, following_id: b, status: 'accepted' }) }),
    ]);
    const quiet = await upload(`${b} ${a}\n`, 'text/plain');
    expect(quiet.outcome).toMatchObject({ loaded: 1, events: 0 });
    expect(await outboxEntries(db, start, [a])).toHaveLength(1);
  });

  it('fails on a bad line with its number and leaves nothing of the import behind', async () => {
    const [a, b, c] = [freshUserId(), freshUserId(), freshUserId()];
    const job = await upload(`${a} ${b}\n# fine\n${b} ${c}\n${c} x\n`, 'text/plain');
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ code: 'INVALID_EDGE_LIST', details: { line: 4 }, message: expect.stringContaining('line 4') });
    const [row] = await db.query(`SELECT count(*)::int AS n FROM follows WHERE follower_id = ANY($1::bigint[])`, [[a, b, c]]);
    expect(row.n).toBe(0);
    expect(await storedCounts(db, b)).toEqual({ followers: 0, following: 0, pending: 0 });
  });

  it('refuses an edge list over IMPORT_UPLOAD_MAX_BYTES with 413 PAYLOAD_TOO_LARGE, sized or streamed, and imports none of it', async () => {
    const [a, b] = [freshUserId(), freshUserId()];
    const line = `${a} ${b}\n# ${'x'.repeat(1000)}\n`;
    const sized = await http().post(`${A}/imports`).set(ADMIN).set('Content-Type', 'text/plain').send(line.repeat(5)).expect(413);
    expect(sized.body).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('IMPORT_UPLOAD_MAX_BYTES (4096 bytes)'), request_id: expect.any(String) } });

    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    const streamed = await chunkedUpload(port, `${A}/imports`, { ...ADMIN, 'Content-Type': 'text/plain' }, Array(5).fill(line));
    expect(streamed).toEqual({ status: 413, body: { error: expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }) } });
    const [row] = await db.query(`SELECT count(*)::int AS n FROM follows WHERE follower_id = $1`, [a]);
    expect(row.n).toBe(0);
    // Under the limit, the same list streamed is taken.
    const taken = await chunkedUpload(port, `${A}/imports`, { ...ADMIN, 'Content-Type': 'text/plain' }, [line, line]);
    expect(taken).toMatchObject({ status: 202, body: { state: 'running' } });
    const read = async () => (await http().get(`${A}/imports/${taken.body.job_id}`).set(ADMIN).expect(200)).body;
    expect(await until(read, (job) => job.state !== 'running')).toMatchObject({ state: 'succeeded', outcome: { loaded: 1, duplicates: 1 } });
  });

  it('refuses a body that is not an edge list type', async () => {
    const res = await http().post(`${A}/imports`).set(ADMIN).send({ edges: [] }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    await http().get(`${A}/imports/00000000-0000-4000-8000-000000000000`).set(ADMIN).expect(404);
  });
});
