import { IncomingMessage } from 'node:http';
import { INestApplication } from '@nestjs/common';
import { GetRelationshipsUseCase, GetStatsUseCase } from '@graph/application';
import { UserId, parseUserId } from '@graph/domain';
import { markRoute } from '../../observability/request-observer';
import { TokenVerifier } from '../auth/token-verifier';
import { HttpErrorFilter } from '../errors/http-error.filter';
import { GRAPH_ROUTE_PREFIX } from '../first-page/first-page.routes';
import { relationshipAnswer, statsAnswer } from '../graph/graph-query.dto';
import { ShortcutAnswer, mountAheadOfRouter } from './ahead-of-router';

/** A read the shortcut answers: the path prefix of its route and its answer for a viewer and a user. */
interface DirectRead {
  prefix: string;
  answer(viewerId: UserId, userId: UserId): Promise<unknown>;
}

/**
 * `GET /stats/:userId` and `/relationship/:userId` (no query, no conditional request), answered
 * ahead of Nest's router through the same use cases and the same answer functions as
 * GraphQueryController: a call then skips the router, the guard, the pipes and the framework's
 * serializer, which on express cost as much as the cached read itself (docs/performance.md).
 *
 * What it is not sure of goes on to the route unchanged, which answers as it always does: another
 * path or method, a query string, If-None-Match, a missing or bad token, an id that is not a plain
 * user id. Once the use case has run, its answer is final: an error is answered here as
 * HttpErrorFilter answers it (same status, body, Retry-After, 5xx log line), so no call reads twice.
 */
export class DirectReadShortcut {
  /** GraphQueryController's `stats/:userId` and `relationship/:userId`. */
  private readonly reads: DirectRead[];

  constructor(
    stats: GetStatsUseCase,
    relationships: GetRelationshipsUseCase,
    private readonly verifier: TokenVerifier,
    private readonly errors: HttpErrorFilter,
  ) {
    this.reads = [
      { prefix: `/${GRAPH_ROUTE_PREFIX}/stats/`, answer: (viewerId, userId) => statsAnswer(stats, viewerId, userId) },
      { prefix: `/${GRAPH_ROUTE_PREFIX}/relationship/`, answer: (viewerId, userId) => relationshipAnswer(relationships, viewerId, userId) },
    ];
  }

  async serve(req: IncomingMessage, answer: (a: ShortcutAnswer) => void, next: () => void): Promise<void> {
    const url = req.url ?? '';
    const read = req.method === 'GET' && req.headers['if-none-match'] === undefined ? this.reads.find((r) => url.startsWith(r.prefix)) : undefined;
    if (!read) return next();
    let userId: UserId;
    let viewerId: UserId;
    try {
      userId = parseUserId(url.slice(read.prefix.length), 'userId'); // refuses '?', '/' and escapes: the route decides those
      const header = req.headers.authorization;
      viewerId = (await this.verifier.verify(Array.isArray(header) ? header[0] : header)).userId;
    } catch {
      return next();
    }
    markRoute(req, `${read.prefix}:userId`);
    try {
      answer({ status: 200, body: JSON.stringify(await read.answer(viewerId, userId)) });
    } catch (error) {
      const { status, body, headers } = this.errors.answer(error, req);
      answer({ status, body: JSON.stringify(body), headers });
    }
  }

  mount(app: INestApplication, adapter: 'express' | 'fastify'): void {
    mountAheadOfRouter(app, adapter, (req, answer, next) => this.serve(req, answer, next));
  }
}
