import { IncomingMessage, ServerResponse } from 'node:http';
import { INestApplication } from '@nestjs/common';

/** A finished JSON answer (the body already serialized). */
export interface ShortcutAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** Answers `req` with `answer` when it can, else hands it on to the route with `next`. */
export type ShortcutServe = (req: IncomingMessage, answer: (a: ShortcutAnswer) => void, next: () => void) => Promise<void>;

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Mounts a shortcut on the HTTP framework after the RequestObserver (request id, latency) and the
 * HTTP edge, and before Nest's router. The headers are the ones the framework gives a route's
 * answer: on express its weak ETag as well (computed by express's own function), on fastify none.
 */
export function mountAheadOfRouter(app: INestApplication, adapter: 'express' | 'fastify', serve: ShortcutServe): void {
  const instance = app.getHttpAdapter().getInstance();
  if (adapter === 'fastify') {
    (instance as FastifyLike).addHook('onRequest', (request, reply, done) => {
      void serve(
        request.raw,
        (a) => {
          // Straight to the socket: this body needs nothing of fastify's send path (serializer
          // checks, onSend hooks, header merging). The RequestObserver still sees 'finish'.
          reply.hijack();
          reply.raw.writeHead(a.status, { ...a.headers, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(a.body) });
          reply.raw.end(a.body);
        },
        done,
      );
    });
    return;
  }
  const express = instance as ExpressLike;
  const etagOf = express.get('etag fn') as ((body: string, encoding: string) => string) | undefined;
  express.use((req, res, next) => {
    void serve(
      req,
      (a) => {
        res.statusCode = a.status;
        for (const [name, value] of Object.entries(a.headers ?? {})) res.setHeader(name, value);
        res.setHeader('Content-Type', JSON_TYPE);
        res.setHeader('Content-Length', Buffer.byteLength(a.body));
        if (etagOf) res.setHeader('ETag', etagOf(a.body, 'utf8'));
        res.end(a.body);
      },
      next,
    );
  });
}

interface FastifyLike {
  addHook(name: 'onRequest', hook: (request: { raw: IncomingMessage }, reply: { hijack(): unknown; raw: ServerResponse }, done: () => void) => void): void;
}

interface ExpressLike {
  use(handler: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): void;
  get(setting: string): unknown;
}
