import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SparePostgres } from '../support/spare-services';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

/**
 * Issue #17, hole 5: a frozen PostgreSQL (SIGSTOP of the postmaster and its backends: connections
 * open, nothing answers) is a fast 503, not a hang. The test freezes its own PostgreSQL, never the
 * machine's shared server.
 */
describe('when PostgreSQL freezes', () => {
  let pg: SparePostgres;
  let app: INestApplication;

  beforeAll(async () => {
    pg = await SparePostgres.start();
    app = await startTestApp({ DATABASE_URL: pg.url, MIGRATIONS_RUN: 'true', DATABASE_CONNECT_TIMEOUT_MS: '500', DATABASE_BREAKER_OPEN_MS: '500' });
  }, 120000);

  afterAll(async () => {
    pg?.thaw();
    await app?.close();
    await pg?.dispose();
  });

  it('answers 503 UNAVAILABLE within the budget, then in milliseconds, and recovers by itself after SIGCONT', async () => {
    const server = app.getHttpServer();
    // Ids of this test's own: the Redis cache is shared with the other suites.
    const [me, star, other] = [freshUserId(), freshUserId(), freshUserId()];
    await request(server).post(`/api/v1/graph/follow/${star}`).set(bearer(me)).expect(200);

    pg.freeze();
    try {
      // 14 follows at once, as in the issue: none may wait past the connect budget plus a probe.
      const timed = async () => {
        const started = Date.now();
        const res = await request(server).post(`/api/v1/graph/follow/${freshUserId()}`).set(bearer(freshUserId()));
        return { status: res.status, body: res.body, ms: Date.now() - started };
      };
      const first = await Promise.all(Array.from({ length: 14 }, () => timed()));
      for (const r of first) {
        expect(r.status).toBe(503);
        expect(r.body.error).toMatchObject({ code: 'UNAVAILABLE', request_id: expect.any(String) });
        expect(r.ms).toBeLessThan(4000);
      }
      // Breaker open: the next calls are refused at once (not waiting on the database at all).
      const later = await Promise.all(Array.from({ length: 10 }, () => timed()));
      for (const r of later) expect(r.status).toBe(503);
      expect(Math.max(...later.map((r) => r.ms))).toBeLessThan(1500);
      const metrics = (await request(server).get('/metrics')).text;
      expect(Number(/graph_postgres_breaker_refused_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(10);
      expect(metrics).toMatch(/graph_postgres_breaker_open 1/);
      const ready = await request(server).get('/health/ready').expect(503);
      expect(ready.body.down).toContain('postgres');
    } finally {
      pg.thaw();
    }

    const deadline = Date.now() + 20000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await request(server).get(`/api/v1/graph/stats/${star}`).set(bearer(me))).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    await request(server).post(`/api/v1/graph/follow/${other}`).set(bearer(me)).expect(200);
  }, 120000);
});
