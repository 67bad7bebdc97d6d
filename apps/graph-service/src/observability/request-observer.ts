import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { INestApplication, Logger } from '@nestjs/common';
import { MetricsRegistry } from '@graph/infrastructure';

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The `route` label of requests no route matched: one series for all of them, whatever the path. */
const UNMATCHED_ROUTE = 'unmatched';

/** Where a request's matched route template is left by code that answers ahead of the router. */
const ROUTE = Symbol('routeTemplate');
type RouteCarrier = IncomingMessage & { [ROUTE]?: string; route?: { path?: unknown } };

/** Labels the request with the route template it was answered for (see FirstPageShortcut). */
export function markRoute(req: IncomingMessage, template: string): void {
  (req as RouteCarrier)[ROUTE] = template;
}

/** The request's id: the caller's X-Request-Id when sane, else a new UUID; fixed on the request once chosen. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && VALID_ID.test(given)) return given;
  const id = randomUUID();
  req.headers['x-request-id'] = id;
  return id;
}

/**
 * Gives each request an id (the caller's X-Request-Id when sane, else a UUID), returned in the
 * response header and in every error body and error log line, and records the request's latency.
 * Works on the raw Node request, so on express and fastify alike.
 *
 * No AsyncLocalStorage context per request: on Node 20 it puts a hook on every promise, which cost
 * about a third of the CPU of a cached list page (measured: 157 → 114 µs per request), while the
 * only log line a request writes (a failure, in HttpErrorFilter) has the request at hand anyway.
 */
export class RequestObserver {
  private readonly latency;
  private readonly logger = new Logger('Http');

  /**
   * @param accessLog one JSON line per request (request id, method, route, status, ms) — at
   *   LOG_LEVEL=debug; requests slower than a second are logged at warn whatever the level.
   */
  constructor(
    metrics: MetricsRegistry,
    private readonly accessLog = false,
  ) {
    this.latency = metrics.histogram(
      'graph_http_request_duration_seconds',
      'HTTP request latency by method, route and status',
      ['method', 'route', 'status'],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    );
  }

  /**
   * Starts observing a request, then hands it on (`next`). `matched` gives the template of the
   * route the framework matched (fastify knows it before the handler; express leaves it on
   * `req.route`), undefined when none did.
   */
  observe(req: IncomingMessage, res: ServerResponse, next: () => void, matched: () => string | undefined = () => expressRoute(req)): void {
    const requestId = requestIdOf(req);
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (req as RouteCarrier)[ROUTE] ?? matched() ?? UNMATCHED_ROUTE;
      this.latency.observe({ method: req.method ?? 'GET', route, status: String(res.statusCode) }, seconds);
      if (this.accessLog || seconds > 1) {
        const line = { msg: 'request', request_id: requestId, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1000) };
        if (seconds > 1) this.logger.warn(line);
        else this.logger.debug(line);
      }
    });
    next();
  }

  /**
   * Mounted straight on the HTTP framework, ahead of routing: a Nest middleware costs a path match
   * per request, and on fastify the @fastify/middie layer as well (together about a fifth of the
   * CPU of a cached list page, measured).
   */
  mount(app: INestApplication, adapter: 'express' | 'fastify'): void {
    const instance = app.getHttpAdapter().getInstance();
    if (adapter === 'fastify') {
      (instance as FastifyLike).addHook('onRequest', (request, reply, done) =>
        this.observe(request.raw, reply.raw, done, () => (request.is404 ? undefined : request.routeOptions.url)),
      );
    } else {
      (instance as ExpressLike).use((req, res, next) => this.observe(req, res, next));
    }
  }
}

interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (request: { raw: IncomingMessage; is404: boolean; routeOptions: { url?: string } }, reply: { raw: ServerResponse }, done: () => void) => void,
  ): void;
}

interface ExpressLike {
  use(handler: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): void;
}

/** Express's matched route, left on the request by its router (absent for the not-found handler). */
function expressRoute(req: IncomingMessage): string | undefined {
  const path = (req as RouteCarrier).route?.path;
  return typeof path === 'string' ? path : undefined;
}
