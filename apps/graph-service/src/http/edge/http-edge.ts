import { IncomingMessage, ServerResponse } from 'node:http';
import { INestApplication } from '@nestjs/common';
import sjson from 'secure-json-parse';
import { HttpEdgeError, answerClientError, errorJson, frameworkErrorOf } from '../errors/framework-errors';
import { requestIdOf } from '../../observability/request-observer';
import { drainThen, readBody } from './request-body';

/** Bodies here are a few fields; 1 MiB leaves room for any admin call and bounds the parse. */
const JSON_BODY_LIMIT_BYTES = 1024 * 1024;
/** No request body of this API nests more than a few levels; a deep one is an attack on the recursive transformers. */
const JSON_MAX_DEPTH = 32;
/** Longer URLs are 414 on both adapters (Node's own limit, 16 KiB of request head, is 431). */
const URL_MAX_LENGTH = 8 * 1024;

/** Methods whose body fastify parses; express is given the same rule. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The request body: '' (or only whitespace) is no body at all, whatever the content type says;
 * anything else must be JSON nested at most JSON_MAX_DEPTH deep. The depth is counted on the text,
 * before parsing, in one pass without recursion, so a body nested 100,000 deep costs one scan.
 */
function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  if (nestsDeeperThan(text, JSON_MAX_DEPTH)) throw new HttpEdgeError('JSON_TOO_DEEP', `the body nests deeper than ${JSON_MAX_DEPTH} levels`);
  try {
    // Same prototype-poisoning rules as fastify's own parser: __proto__ and constructor.prototype refused.
    return sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const poisoned = error instanceof SyntaxError && error.message.includes('forbidden prototype');
    throw new HttpEdgeError('INVALID_JSON', poisoned ? 'the body holds a forbidden key (__proto__ or constructor.prototype)' : undefined);
  }
}

function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** The URL gate, shared by both adapters: too long → 414, a path that does not percent-decode → 400. */
function checkUrl(url: string): void {
  if (url.length > URL_MAX_LENGTH) throw new HttpEdgeError('URI_TOO_LONG', `the URL is longer than ${URL_MAX_LENGTH} characters`);
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path.includes('%')) {
    try {
      decodeURIComponent(path);
    } catch {
      throw new HttpEdgeError('INVALID_URL');
    }
  }
}

/**
 * Only application/json carries a body, unencoded (a body with no content type is refused too):
 * no other parser is registered on either adapter.
 */
function checkBodyType(headers: IncomingMessage['headers']): void {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') throw new HttpEdgeError('UNSUPPORTED_MEDIA_TYPE');
  const type = headers['content-type'] ?? '';
  if (type.split(';', 1)[0]!.trim().toLowerCase() !== 'application/json') throw new HttpEdgeError('UNSUPPORTED_MEDIA_TYPE');
}

/** A request whose body the framework would read (the same test fastify makes). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** A route that takes a raw upload (not JSON): its body is left unread for the controller to stream. */
export interface RawUploadRoute {
  path: string;
  types: readonly string[];
}

/**
 * What the two HTTP adapters do differently out of the box, made the same: URL limits and
 * decoding, which content types carry a body, empty JSON bodies (fastify refuses them, express
 * accepts), body size and depth, bodies on methods that take none (read and dropped), and the
 * answers to errors raised before Nest's router (fastify's router errors, Node's parser errors),
 * all in the documented error shape. A request refused while its body is still arriving is answered
 * only once the body is drained (see drainThen), with `Connection: close`.
 */
export class HttpEdge {
  constructor(private readonly rawUploads: readonly RawUploadRoute[] = []) {}

  /** Called for answers given outside Nest (fastify router errors), so they are measured too. */
  private observe: (req: IncomingMessage, res: ServerResponse, next: () => void) => void = (_req, _res, next) => next();

  /** Options for `new FastifyAdapter(...)`. */
  fastifyOptions(): Record<string, unknown> {
    return {
      // The URL gate bounds the whole URL; a parameter as long as that is then a 400 from the route's own check.
      routerOptions: { maxParamLength: URL_MAX_LENGTH },
      clientErrorHandler: answerClientError,
      frameworkErrors: (error: Error, request: FastifyRequestLike, reply: FastifyReplyLike) => {
        const answer = frameworkErrorOf(error) ?? { status: 500, code: 'INTERNAL', message: 'internal error' };
        this.observe(request.raw, reply.raw, () => {
          const requestId = requestIdOf(request.raw);
          reply.code(answer.status).header('content-type', 'application/json; charset=utf-8').header('x-request-id', requestId);
          reply.send(errorJson(answer.code, answer.message, requestId));
        });
      },
    };
  }

  /**
   * Mounted after the RequestObserver (so refusals carry a request id and are measured) and
   * before the routes. Nest's own body parsers must be off (`bodyParser: false`).
   */
  mount(app: INestApplication, adapter: 'express' | 'fastify', observe?: HttpEdge['observe']): void {
    if (observe) this.observe = observe;
    const instance = app.getHttpAdapter().getInstance();
    if (adapter === 'fastify') {
      const fastify = instance as FastifyLike;
      fastify.addHook('onRequest', (request, reply, done) => {
        const refuse = (error: unknown) => {
          reply.header('connection', 'close');
          drainThen(request.raw, () => done(error as Error));
        };
        try {
          checkUrl(request.raw.url ?? '');
        } catch (error) {
          return refuse(error);
        }
        // fastify leaves a body on a method that takes none unread, and answering over it resets the connection.
        if (BODY_METHODS.has(request.raw.method ?? '') || !hasBody(request.raw)) return done();
        readBody(request.raw, JSON_BODY_LIMIT_BYTES).then(() => done(), refuse);
      });
      fastify.removeAllContentTypeParsers();
      // The parsers read the stream themselves (no parseAs), so a refused body is drained before
      // fastify answers; fastify's own reading (bodyLimit) would answer 413 over the unread rest.
      // On a parser error fastify answers with `Connection: close`.
      fastify.addContentTypeParser('application/json', (request, payload, done) => {
        const refuse = (error: unknown) => drainThen(payload, () => done(error as Error, undefined));
        try {
          checkBodyType(request.headers);
        } catch (error) {
          return refuse(error);
        }
        readBody(payload, JSON_BODY_LIMIT_BYTES).then((text) => {
          try {
            done(null, parseJsonBody(text));
          } catch (error) {
            done(error as Error, undefined);
          }
        }, refuse);
      });
      // Any other content type, or none: a raw upload's body stays a stream for its controller, on its own route only.
      fastify.addContentTypeParser('*', (request, payload, done) => {
        if (this.isRawUpload(request.raw)) done(null, payload);
        else drainThen(payload, () => done(new HttpEdgeError('UNSUPPORTED_MEDIA_TYPE'), undefined));
      });
      return;
    }
    const express = instance as ExpressLike;
    // Nest registers the express router's error handler, which runs the global filter, at init.
    app.getHttpServer().on('clientError', answerClientError);
    express.use((req, res, next) => {
      const refuse = (error: unknown) => {
        if (!hasBody(req)) return next(error);
        res.setHeader('Connection', 'close');
        drainThen(req, () => next(error));
      };
      try {
        checkUrl(req.url ?? '');
        if (!BODY_METHODS.has(req.method ?? '')) {
          if (!hasBody(req)) return next();
          // A body on a method that takes none is read and dropped, as on fastify.
          readBody(req, JSON_BODY_LIMIT_BYTES).then(() => next(), refuse);
          return;
        }
        if (this.isRawUpload(req)) return next();
        if (req.headers['content-type'] !== undefined || hasBody(req)) checkBodyType(req.headers);
        if (!hasBody(req)) return next();
      } catch (error) {
        return refuse(error);
      }
      readBody(req, JSON_BODY_LIMIT_BYTES).then((text) => {
        try {
          (req as IncomingMessage & { body?: unknown }).body = parseJsonBody(text);
          next();
        } catch (error) {
          next(error);
        }
      }, refuse);
    });
  }

  private isRawUpload(req: IncomingMessage): boolean {
    const path = (req.url ?? '').split('?', 1)[0];
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    return this.rawUploads.some((route) => route.path === path && route.types.includes(type));
  }
}

interface FastifyRequestLike {
  raw: IncomingMessage;
  headers: IncomingMessage['headers'];
}

interface FastifyReplyLike {
  raw: ServerResponse;
  code(status: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(body: string): unknown;
}

interface FastifyLike {
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: Pick<FastifyReplyLike, 'header'>, done: (error?: Error) => void) => void): void;
  removeAllContentTypeParsers(): void;
  addContentTypeParser(type: string, parser: (request: FastifyRequestLike, payload: IncomingMessage, done: (error: Error | null, body?: unknown) => void) => void): void;
}

interface ExpressLike {
  use(handler: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void): void;
}
