import { AddressInfo } from 'node:net';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** POST /imports and GET /imports/{id} (docs/api.md "Import"): CSV bodies through the raw upload route, on both adapters. */
describe.each(['express', 'fastify'])('CSV import on %s', (adapter) => {
  let app: INestApplication;
  let base: string;
  const [me, bob, carol, dave, blocker, other] = Array.from({ length: 6 }, () => freshUserId());
  const http = () => request(base);
  const upload = (query: Record<string, string>, body: string, who = me) =>
    http().post(`${G}/imports`).query(query).set(bearer(who)).set('Content-Type', 'text/csv').send(body);
  const finished = async (jobId: string, who = me) => {
    for (;;) {
      const res = await http().get(`${G}/imports/${jobId}`).set(bearer(who)).expect(200);
      if (res.body.state !== 'running') return res.body;
      await sleep(50);
    }
  };

  beforeAll(async () => {
    app = await startTestApp({ HTTP_ADAPTER: adapter });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    await http().post(`${G}/block/${me}`).set(bearer(blocker)).expect(200);
  });
  afterAll(() => app?.close());

  it('imports an exported following.csv row by row; bad rows fail with their line and code, the others go on', async () => {
    const file = ['Account address,Show boosts,Notify on new posts,Languages', `${bob},false,true,"en, fr"`, 'abc', `${me}`, `${blocker}`, `${carol}`, ''].join('\r\n');
    const started = await upload({ type: 'following' }, file).expect(202);
    expect(started.body).toMatchObject({ job_id: expect.any(String), progress: { total: 5 } });
    const job = await finished(started.body.job_id);
    expect(job).toMatchObject({ state: 'succeeded', progress: { total: 5, processed: 5 }, outcome: { applied: 2, unchanged: 0, failed: 3, removed: 0 } });
    expect(job.outcome.failures.map((f: { line: number; code: string }) => [f.line, f.code])).toEqual([
      [3, 'INVALID_USER_ID'],
      [4, 'SELF_FOLLOW'],
      [5, 'BLOCKED'],
    ]);
    expect((await http().get(`${G}/relationship/${bob}`).set(bearer(me)).expect(200)).body).toMatchObject({
      following: true,
      notifying: true,
      showing_reposts: false,
      languages: ['en', 'fr'],
    });
    // The export gives the same file back (newest first).
    const exported = await http().get(`${G}/export/following.csv`).set(bearer(me)).expect(200);
    expect(exported.text).toBe(`Account address,Show boosts,Notify on new posts,Languages\r\n${carol},true,false,\r\n${bob},false,true,"en, fr"\r\n`);
  });

  it('overwrite of blocks removes the blocks the file does not list; the job is its owner\'s only', async () => {
    await http().post(`${G}/block/${dave}`).set(bearer(me)).expect(200);
    const started = await upload({ type: 'blocks', mode: 'overwrite' }, `${other}\n`).expect(202);
    const job = await finished(started.body.job_id);
    expect(job.outcome).toMatchObject({ applied: 1, removed: 1, failed: 0 });
    expect((await http().get(`${G}/blocks`).set(bearer(me)).expect(200)).body.blocks.map((b: { user_id: string }) => b.user_id)).toEqual([other]);
    expect((await http().get(`${G}/imports/${started.body.job_id}`).set(bearer(bob)).expect(404)).body.error.code).toBe('NOT_FOUND');
  });

  it('refuses a bad type, mode, content type or CSV with a stable code, starting nothing', async () => {
    expect((await upload({ type: 'lists' }, '1\n').expect(400)).body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'type' } });
    expect((await upload({ type: 'mutes', mode: 'replace' }, '1\n').expect(400)).body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'mode' } });
    expect((await upload({ type: 'mutes' }, '"unclosed\n').expect(400)).body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'body' } });
    const json = await http().post(`${G}/imports`).query({ type: 'mutes' }).set(bearer(me)).send({ rows: [] });
    expect([json.status, json.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const plain = await http().post(`${G}/imports`).query({ type: 'mutes' }).set(bearer(me)).set('Content-Type', 'text/plain').send('1\n');
    expect([plain.status, plain.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });
});

describe('CSV import under the following cap', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    app = await startTestApp({ FOLLOWING_CAP: '2', FOLLOWING_CAP_RATIO: '1' });
  });
  afterAll(() => app?.close());

  const importFollowing = async (who: string, body: string, mode = 'merge') => {
    const started = await http().post(`${G}/imports`).query({ type: 'following', mode }).set(bearer(who)).set('Content-Type', 'text/csv').send(body).expect(202);
    for (;;) {
      const res = await http().get(`${G}/imports/${started.body.job_id}`).set(bearer(who)).expect(200);
      if (res.body.state !== 'running') return res.body;
      await sleep(50);
    }
  };

  it('rows past the cap fail with FOLLOW_LIMIT_REACHED and the rest of the file goes on', async () => {
    const [me, priv, a, b, c] = Array.from({ length: 5 }, () => freshUserId());
    await http().put(`${G}/settings`).set(bearer(priv)).send({ is_private: true }).expect(200);
    const job = await importFollowing(me, [priv, a, b, `${priv},false`, 'abc', c].join('\n'));
    // priv (a request, counted) and a fill the cap of 2; b and c are refused; the repeat of priv is not.
    expect(job).toMatchObject({ state: 'succeeded', outcome: { applied: 3, unchanged: 0, failed: 3 } });
    expect(job.outcome.failures.map((f: { line: number; code: string }) => [f.line, f.code])).toEqual([
      [3, 'FOLLOW_LIMIT_REACHED'],
      [5, 'INVALID_USER_ID'],
      [6, 'FOLLOW_LIMIT_REACHED'],
    ]);
    expect((await http().get(`${G}/stats/${me}`).set(bearer(me)).expect(200)).body).toMatchObject({ following_count: 1 });
    expect((await http().get(`${G}/relationship/${priv}`).set(bearer(me)).expect(200)).body).toMatchObject({ requested: true, showing_reposts: false });
    expect((await http().get(`${G}/relationship/${b}`).set(bearer(me)).expect(200)).body.relationship).toBe('none');
  });

  it('overwrite removes first, so an account at its cap can replace its following', async () => {
    const [me, a, b, c, d] = Array.from({ length: 5 }, () => freshUserId());
    for (const t of [a, b]) await http().post(`${G}/follow/${t}`).set(bearer(me)).expect(200);
    const job = await importFollowing(me, [c, d].join('\n'), 'overwrite');
    expect(job.outcome).toMatchObject({ applied: 2, failed: 0, removed: 2 });
    const following = await http().get(`${G}/following/${me}`).set(bearer(me)).expect(200);
    expect(following.body.following.map((f: { user_id: string }) => f.user_id)).toEqual([d, c]);
  });
});
