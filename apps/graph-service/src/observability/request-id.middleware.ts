import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable, NestMiddleware } from '@nestjs/common';
import { MetricsRegistry, requestContext } from '@graph/infrastructure';

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives each request an id (the caller's X-Request-Id when sane, else a UUID), returns it in the
 * response header, makes it visible to every log line written while serving the request, and
 * records the request's latency. Works on the raw Node request, so on express and fastify alike.
 */
@Injectable()
export class RequestIdMiddleware implements NestMiddleware {
  private readonly latency;

  constructor(metrics: MetricsRegistry) {
    this.latency = metrics.histogram(
      'graph_http_request_duration_seconds',
      'HTTP request latency by method, route and status',
      ['method', 'route', 'status'],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    );
  }

  use(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && VALID_ID.test(given) ? given : randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.latency.observe({ method: req.method ?? 'GET', route: routeOf(req.url ?? ''), status: String(res.statusCode) }, seconds);
    });
    requestContext.run({ requestId }, () => next());
  }
}

/** A low-cardinality route label: the path with ids and cursors replaced. */
function routeOf(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.replace(/\/[0-9]+(?=\/|$)/g, '/:id').slice(0, 80);
}
