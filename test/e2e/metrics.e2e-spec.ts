import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { promtool, runPromtool } from '../support/promtool';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const LATENCY = 'graph_http_request_duration_seconds';

/** The label sets of the request-latency histogram in a /metrics body (one per series). */
function latencySeries(body: string): string[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${LATENCY}_count{`))
    .map((line) => line.slice(line.indexOf('{'), line.lastIndexOf('}') + 1));
}

describe.each(['express', 'fastify'])('metrics on %s', (adapter) => {
  let app: INestApplication;
  const metrics = async () => (await request(app.getHttpServer()).get('/metrics').expect(200)).text;

  beforeAll(async () => {
    app = await startTestApp({ HTTP_ADAPTER: adapter });
  });
  afterAll(() => app.close());

  it('labels a request with the route template it matched, ids and queries left out', async () => {
    const user = freshUserId();
    await request(app.getHttpServer()).get(`/api/v1/graph/stats/${user}?x=1`).set(bearer(user)).expect(200);
    await request(app.getHttpServer()).get(`/api/v1/graph/common-followers/${user}/1`).set(bearer(user)).expect(200);
    await request(app.getHttpServer()).get(`/api/v1/graph/stats/not-an-id`).set(bearer(user)).expect(400);
    // A first page served ahead of the router (from the rendered-page cache) is labelled like the route.
    await request(app.getHttpServer()).get(`/api/v1/graph/followers/${user}`).set(bearer(user)).expect(200);
    await request(app.getHttpServer()).get(`/api/v1/graph/followers/${user}`).set(bearer(user)).expect(200);
    const series = latencySeries(await metrics());
    expect(series).toContain('{method="GET",route="/api/v1/graph/stats/:userId",status="200"}');
    expect(series).toContain('{method="GET",route="/api/v1/graph/stats/:userId",status="400"}');
    expect(series).toContain('{method="GET",route="/api/v1/graph/common-followers/:userA/:userB",status="200"}');
    const followers = (await metrics()).split('\n').find((l) => l.startsWith(`${LATENCY}_count{method="GET",route="/api/v1/graph/followers/:userId",status="200"}`));
    expect(Number(followers?.split(' ')[1])).toBeGreaterThanOrEqual(2);
    for (const s of series) expect(s).toMatch(/route="(unmatched|\/[A-Za-z0-9/:_-]*)"/);
    expect(series.join()).not.toContain(user);
  });

  it('counts every unmatched path as one route="unmatched" series: 100 junk requests add at most one series', async () => {
    await request(app.getHttpServer()).get('/warm-up-unmatched').expect(404);
    const before = latencySeries(await metrics());
    for (let i = 0; i < 100; i++) {
      const junk = [`/junk/${i}`, `/api/v1/graph/${Math.random().toString(36).slice(2)}/x/${i}`, `/.env${i}`, `/api/v1/graph/stats/${i}/extra`][i % 4]!;
      await request(app.getHttpServer()).get(junk).expect(404);
    }
    const after = latencySeries(await metrics());
    const added = after.filter((s) => !before.includes(s));
    expect(added).toEqual([]);
    expect(after).toContain('{method="GET",route="unmatched",status="404"}');
    expect(after.filter((s) => s.includes('junk') || s.includes('.env'))).toEqual([]);
  });

  it('serves every metric the alert rules use, with the pool and Redis figures they need', async () => {
    const rules = readFileSync(join(__dirname, '../../ops/prometheus/graph-service.rules.yml'), 'utf8');
    const used = new Set([...rules.matchAll(/\b(graph_[a-z_]+)/g)].map((m) => m[1]!.replace(/_bucket$/, '')));
    // Reported by the admin API's counter check, which may live on another branch.
    used.delete('graph_stats_drift_users');
    const body = await metrics();
    const served = new Set(body.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]));
    expect([...used].filter((name) => !served.has(name))).toEqual([]);
    expect(body).toMatch(/^graph_db_pool_connections_max 10$/m);
    expect(body).toMatch(/^graph_db_pool_connections_in_use \d+$/m);
    expect(body).toMatch(/^graph_cache_keys \d+$/m);
    expect(body).toMatch(/^graph_cache_evictions_total \d+$/m);
  });

  const withPromtool = promtool() ? it : it.skip;
  withPromtool('passes `promtool check metrics` (names, units, _total counters, help texts)', async () => {
    const user = freshUserId();
    await request(app.getHttpServer()).post(`/api/v1/graph/follow/${freshUserId()}`).set(bearer(user)).expect(200);
    const { status, output } = runPromtool(['check', 'metrics'], await metrics());
    expect(output.split('\n')).toEqual(['']);
    expect(status).toBe(0);
  });
});
