import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SparePostgres } from '../support/spare-services';
import { bearer, startTestApp } from '../support/test-app';

/**
 * docs/api.md: "Postgres down: calls fail fast with 503 UNAVAILABLE; the service recovers by itself."
 * The test runs its own PostgreSQL (the embedded one, on a spare port) and stops it, never the
 * machine's shared server.
 */
describe('when PostgreSQL goes down', () => {
  let pg: SparePostgres;
  let app: INestApplication;

  beforeAll(async () => {
    pg = await SparePostgres.start();
    app = await startTestApp({ DATABASE_URL: pg.url, MIGRATIONS_RUN: 'true' });
  }, 120000);

  afterAll(async () => {
    await app?.close();
    await pg?.dispose();
  });

  it('answers 503 UNAVAILABLE while it is down, reports it in ready, and recovers by itself', async () => {
    const server = app.getHttpServer();
    await request(server).post('/api/v1/graph/follow/2').set(bearer(1)).expect(200);

    await pg.stop();
    // Answered while the database is still down: a stopped server refuses connections, and the refusal is the answer.
    const down = await request(server).get('/api/v1/graph/stats/2').set(bearer(1)).expect(503);
    expect(down.body.error).toMatchObject({ code: 'UNAVAILABLE', request_id: expect.any(String) });
    expect(JSON.stringify(down.body)).not.toMatch(/ECONNREFUSED|SELECT|at /);
    const write = await request(server).post('/api/v1/graph/follow/3').set(bearer(1)).expect(503);
    expect(write.body.error.code).toBe('UNAVAILABLE');
    const ready = await request(server).get('/health/ready').expect(503);
    expect(ready.body.down).toContain('postgres');

    await pg.start();
    const deadline = Date.now() + 20000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await request(server).get('/api/v1/graph/stats/2').set(bearer(1))).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    const stats = await request(server).get('/api/v1/graph/stats/2').set(bearer(1)).expect(200);
    expect(stats.body.follower_count).toBe(1);
  }, 120000);
});
