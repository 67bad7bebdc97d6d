import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SpareRedis } from '../support/spare-services';
import { startTestApp, tokenFor } from '../support/test-app';

describe('the skeleton over HTTP', () => {
  describe.each(['express', 'fastify'])('on %s', (adapter) => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await startTestApp({ HTTP_ADAPTER: adapter });
    });
    afterAll(() => app.close());

    it('is live, and ready with Postgres, Redis and Kafka up', async () => {
      await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'ok' });
      const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
      expect(ready.body.components).toEqual({
        postgres: { status: 'up', mode: 'external' },
        redis: { status: 'up', mode: 'external' },
        kafka: { status: 'up', mode: 'external' },
      });
    });

    it('answers a call without a token with 401 in the error shape, with a request id', async () => {
      const res = await request(app.getHttpServer()).get('/api/v1/graph/stats/1').set('X-Request-Id', 'req-123').expect(401);
      expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String), request_id: 'req-123' } });
      expect(res.headers['x-request-id']).toBe('req-123');
    });

    it('refuses expired and forged tokens', async () => {
      const expired = tokenFor(1, { expiresIn: -10 });
      const res = await request(app.getHttpServer()).get('/api/v1/graph/stats/1').set('Authorization', `Bearer ${expired}`).expect(401);
      expect(res.body.error.message).toMatch(/expired/);
      const forged = tokenFor(1).slice(0, -2) + 'xx';
      await request(app.getHttpServer()).get('/api/v1/graph/stats/1').set('Authorization', `Bearer ${forged}`).expect(401);
    });

    it('serves Swagger UI at /docs with bearer auth declared', async () => {
      const ui = await request(app.getHttpServer()).get('/docs').redirects(1).expect(200);
      expect(ui.text).toContain('swagger-ui');
      const spec = await request(app.getHttpServer()).get('/docs-json').expect(200);
      expect(spec.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    });

    it('exposes Prometheus metrics with request latency', async () => {
      const res = await request(app.getHttpServer()).get('/metrics').expect(200);
      expect(res.text).toContain('graph_http_request_duration_seconds');
      expect(res.text).toContain('process_cpu_user_seconds_total');
      expect(res.text).toMatch(/graph_kafka_consumer_lag_messages\{topic="user.events"\} \d+/);
      expect(res.text).toContain('graph_outbox_backlog_events');
    });

    it('answers unknown routes with 404 in the error shape', async () => {
      const res = await request(app.getHttpServer()).get('/nope').expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    });
  });

  it('stays ready, degraded and naming Redis, when its Redis stops (it serves from Postgres then)', async () => {
    const redis = await SpareRedis.start();
    const app = await startTestApp({ REDIS_URL: redis.url });
    try {
      expect((await request(app.getHttpServer()).get('/health/ready').expect(200)).body.status).toBe('ok');
      await redis.kill();
      const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
      expect(res.body.status).toBe('degraded');
      expect(res.body.down).toEqual(['redis']);
      expect(res.body.components.redis.status).toBe('down');
      expect(res.body.components.postgres.status).toBe('up');
      await request(app.getHttpServer()).get('/api/v1/graph/stats/1').set('Authorization', `Bearer ${tokenFor(1)}`).expect(200);
    } finally {
      await app.close();
    }
  });
});
