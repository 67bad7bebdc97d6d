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

  it('answers 503 UNAVAILABLE while the database is frozen, then refuses at the breaker without touching it, and recovers by itself after SIGCONT', async () => {
    const server = app.getHttpServer();
    // Ids of this test's own: the Redis cache is shared with the other suites.
    const [me, star, other] = [freshUserId(), freshUserId(), freshUserId()];
    await request(server).post(`/api/v1/graph/follow/${star}`).set(bearer(me)).expect(200);

    pg.freeze();
    try {
      // 14 follows at once, as in the issue (one hung until SIGCONT there): every one is answered
      // while the database stays frozen, so none waits for it to come back.
      const follow = () => request(server).post(`/api/v1/graph/follow/${freshUserId()}`).set(bearer(freshUserId()));
      const refused = async () => Number(/graph_postgres_breaker_refused_total (\d+)/.exec((await request(server).get('/metrics')).text)?.[1] ?? 0);
      const first = await Promise.all(Array.from({ length: 14 }, follow));
      for (const r of first) {
        expect(r.status).toBe(503);
        expect(r.body.error).toMatchObject({ code: 'UNAVAILABLE', request_id: expect.any(String) });
      }
      // Breaker open: each of the next calls is refused by the breaker itself, not by a database wait.
      const refusedBefore = await refused();
      const later = await Promise.all(Array.from({ length: 10 }, follow));
      for (const r of later) expect(r.status).toBe(503);
      expect((await refused()) - refusedBefore).toBeGreaterThanOrEqual(10);
      expect((await request(server).get('/metrics')).text).toMatch(/graph_postgres_breaker_open 1/);
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
