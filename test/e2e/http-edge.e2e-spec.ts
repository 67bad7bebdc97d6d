import { AddressInfo, connect } from 'node:net';
import { INestApplication } from '@nestjs/common';
import { RawResponse, rawRequest } from '../support/raw-http';
import jwt from 'jsonwebtoken';
import { TEST_JWT_SECRET, freshUserId, startTestApp, tokenFor } from '../support/test-app';
import { REFUSED_BODY_DRAIN_BYTES } from '../../apps/graph-service/src/http/edge/request-body';

/**
 * One table of raw requests, sent byte for byte to both adapters: each must get the same status
 * and, for errors, the documented shape with the same stable code (and never the framework's
 * own shape or message). A row that differs between the adapters fails on one of them.
 */
interface Row {
  name: string;
  request: (ctx: { user: string; other: string; token: string }) => string;
  status: number;
  /** The error code, for error answers. */
  code?: string;
  /** The field a validation error names. */
  field?: string;
}

const G = '/api/v1/graph';
const deep = (n: number) => `{"is_private":false,"x":${'['.repeat(n)}${']'.repeat(n)}}`;
/** A JSON body of 4 MB: far past what the socket buffers absorb, so the client is still sending when it is refused. */
const big = () => `{"is_private":false,"x":"${'a'.repeat(4 * 1024 * 1024)}"}`;
const chunked = (body: string) => `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;

function http(method: string, path: string, headers: Record<string, string | number>, body = ''): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: localhost', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
/** A request with `body`, sent as JSON unless `extra` says otherwise. */
const withBody = (method: string, path: string, token: string, body: string, extra: Record<string, string | number> = {}) =>
  http(method, path, { ...auth(token), 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...extra }, body);

const ROWS: Row[] = [
  // Empty JSON bodies where no body is needed (generated SDKs send the header on every call).
  { name: 'POST follow, JSON content type, Content-Length 0', request: (c) => withBody('POST', `${G}/follow/${c.other}`, c.token, ''), status: 200 },
  { name: 'DELETE follow, JSON content type, Content-Length 0', request: (c) => withBody('DELETE', `${G}/follow/${c.other}`, c.token, ''), status: 200 },
  {
    name: 'DELETE follow, JSON content type, no Content-Length',
    request: (c) => http('DELETE', `${G}/follow/${c.other}`, { ...auth(c.token), 'Content-Type': 'application/json' }),
    status: 200,
  },
  { name: 'POST block, JSON content type with charset, empty', request: (c) => withBody('POST', `${G}/block/${c.other}`, c.token, '', { 'Content-Type': 'application/json; charset=utf-8' }), status: 200 },
  { name: 'DELETE block, body {}', request: (c) => withBody('DELETE', `${G}/block/${c.other}`, c.token, '{}'), status: 200 },
  { name: 'POST follow, no content type, no body', request: (c) => http('POST', `${G}/follow/${c.other}`, { ...auth(c.token), 'Content-Length': 0 }), status: 200 },
  { name: 'PUT settings, valid body', request: (c) => withBody('PUT', `${G}/settings`, c.token, '{"is_private":false}'), status: 200 },
  // Bodies that are not what the route needs.
  { name: 'PUT settings, empty JSON body', request: (c) => withBody('PUT', `${G}/settings`, c.token, ''), status: 400, code: 'VALIDATION_FAILED', field: 'is_private' },
  { name: 'PUT settings, whitespace body', request: (c) => withBody('PUT', `${G}/settings`, c.token, '  \r\n '), status: 400, code: 'VALIDATION_FAILED', field: 'is_private' },
  { name: 'PUT settings, malformed JSON', request: (c) => withBody('PUT', `${G}/settings`, c.token, '{"is_private":'), status: 400, code: 'INVALID_JSON' },
  { name: 'PUT settings, JSON null', request: (c) => withBody('PUT', `${G}/settings`, c.token, 'null'), status: 400, code: 'VALIDATION_FAILED', field: 'is_private' },
  { name: 'PUT settings, __proto__ key', request: (c) => withBody('PUT', `${G}/settings`, c.token, '{"is_private":false,"__proto__":{"x":1}}'), status: 400, code: 'INVALID_JSON' },
  { name: 'PUT settings, nested 2,000 deep', request: (c) => withBody('PUT', `${G}/settings`, c.token, deep(2000)), status: 400, code: 'JSON_TOO_DEEP' },
  {
    name: 'POST request answer, action nested 2,000 deep',
    request: (c) => withBody('POST', `${G}/requests/${c.other}`, c.token, `{"action":${'['.repeat(2000)}${']'.repeat(2000)}}`),
    status: 400,
    code: 'JSON_TOO_DEEP',
  },
  { name: 'PUT settings, nested 100,000 deep', request: (c) => withBody('PUT', `${G}/settings`, c.token, deep(100_000)), status: 400, code: 'JSON_TOO_DEEP' },
  { name: 'PUT settings, nested 33 deep', request: (c) => withBody('PUT', `${G}/settings`, c.token, deep(32)), status: 400, code: 'JSON_TOO_DEEP' },
  { name: 'PUT settings, nested 32 deep (allowed, then an unknown field)', request: (c) => withBody('PUT', `${G}/settings`, c.token, deep(31)), status: 400, code: 'VALIDATION_FAILED', field: 'x' },
  {
    name: 'PUT settings, body over 1 MiB',
    request: (c) => withBody('PUT', `${G}/settings`, c.token, `{"is_private":false,"x":"${'a'.repeat(1024 * 1024)}"}`),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'PUT settings, body over 1 MiB, chunked',
    request: (c) =>
      http('PUT', `${G}/settings`, { ...auth(c.token), 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, chunked(`{"is_private":false,"x":"${'a'.repeat(1024 * 1024)}"}`)),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  // Bodies far over the limit, refused while the client is still sending: the answer must still
  // reach it (the refused body is drained first; before, the socket was closed over it and reset).
  { name: 'PUT settings, 4 MB body', request: (c) => withBody('PUT', `${G}/settings`, c.token, big()), status: 413, code: 'PAYLOAD_TOO_LARGE' },
  {
    name: 'PUT settings, 4 MB body, chunked',
    request: (c) => http('PUT', `${G}/settings`, { ...auth(c.token), 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, chunked(big())),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  { name: 'PUT settings, 4 MB text/plain body', request: (c) => withBody('PUT', `${G}/settings`, c.token, big(), { 'Content-Type': 'text/plain' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'PUT settings, 4 MB gzip body', request: (c) => withBody('PUT', `${G}/settings`, c.token, big(), { 'Content-Encoding': 'gzip' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'a 9,000-character URL with a 4 MB body', request: (c) => withBody('PUT', `${G}/settings?q=${'x'.repeat(9000)}`, c.token, big()), status: 414, code: 'URI_TOO_LONG' },
  // A body on a method that takes none is read and dropped, within the same limit.
  { name: 'GET stats with a small body', request: (c) => withBody('GET', `${G}/stats/${c.other}`, c.token, '{"x":1}'), status: 200 },
  { name: 'GET stats with a 4 MB body', request: (c) => withBody('GET', `${G}/stats/${c.other}`, c.token, big()), status: 413, code: 'PAYLOAD_TOO_LARGE' },
  { name: 'PUT settings, text/plain', request: (c) => withBody('PUT', `${G}/settings`, c.token, '{"is_private":false}', { 'Content-Type': 'text/plain' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  {
    name: 'PUT settings, form-urlencoded',
    request: (c) => withBody('PUT', `${G}/settings`, c.token, 'is_private=false', { 'Content-Type': 'application/x-www-form-urlencoded' }),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  { name: 'PUT settings, body without content type', request: (c) => http('PUT', `${G}/settings`, { ...auth(c.token), 'Content-Length': 20 }, '{"is_private":false}'), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'PUT settings, gzip encoding', request: (c) => withBody('PUT', `${G}/settings`, c.token, '{"is_private":false}', { 'Content-Encoding': 'gzip' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'DELETE follow, text/plain, empty', request: (c) => withBody('DELETE', `${G}/follow/${c.other}`, c.token, '', { 'Content-Type': 'text/plain' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'PUT settings, invalid content type header', request: (c) => withBody('PUT', `${G}/settings`, c.token, '{}', { 'Content-Type': '/;;' }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  // Paths and ids.
  { name: 'bad percent-encoding in an id', request: (c) => http('GET', `${G}/stats/%ZZ`, auth(c.token)), status: 400, code: 'INVALID_URL' },
  { name: 'bad percent-encoding outside a parameter', request: (c) => http('GET', `${G}/stats%ZZ/1`, auth(c.token)), status: 400, code: 'INVALID_URL' },
  { name: 'a 101-character id', request: (c) => http('GET', `${G}/stats/${'1'.repeat(101)}`, auth(c.token)), status: 400, code: 'INVALID_USER_ID', field: 'userId' },
  { name: 'a 5,000-character id', request: (c) => http('GET', `${G}/stats/${'1'.repeat(5000)}`, auth(c.token)), status: 400, code: 'INVALID_USER_ID', field: 'userId' },
  { name: 'a 9,000-character id', request: (c) => http('GET', `${G}/stats/${'1'.repeat(9000)}`, auth(c.token)), status: 414, code: 'URI_TOO_LONG' },
  { name: 'a 9,000-character unknown path', request: (c) => http('GET', `/${'x'.repeat(9000)}`, auth(c.token)), status: 414, code: 'URI_TOO_LONG' },
  { name: 'a 9,000-character query', request: (c) => http('GET', `${G}/stats/1?q=${'x'.repeat(9000)}`, auth(c.token)), status: 414, code: 'URI_TOO_LONG' },
  { name: 'unknown route', request: (c) => http('GET', `${G}/nope`, auth(c.token)), status: 404, code: 'NOT_FOUND' },
  { name: 'known path, unknown method', request: (c) => http('PATCH', `${G}/stats/1`, auth(c.token)), status: 404, code: 'NOT_FOUND' },
  // What Node's HTTP parser refuses before any framework sees the request.
  { name: 'headers over 16 KiB', request: (c) => http('GET', `${G}/stats/1`, { ...auth(c.token), 'X-Big': 'x'.repeat(17 * 1024) }), status: 431, code: 'HEADERS_TOO_LARGE' },
  { name: 'a URL over 16 KiB', request: (c) => http('GET', `/${'x'.repeat(17 * 1024)}`, auth(c.token)), status: 431, code: 'HEADERS_TOO_LARGE' },
  { name: 'a bad header name', request: (c) => http('GET', `${G}/stats/1`, { ...auth(c.token), 'Bad Header': 'x' }), status: 400, code: 'MALFORMED_REQUEST' },
  { name: 'not HTTP at all', request: () => 'HELLO\r\n\r\n', status: 400, code: 'MALFORMED_REQUEST' },
  { name: 'a bad Content-Length', request: (c) => http('PUT', `${G}/settings`, { ...auth(c.token), 'Content-Type': 'application/json', 'Content-Length': 'abc' }), status: 400, code: 'MALFORMED_REQUEST' },
  // Tokens.
  { name: 'no token', request: () => http('GET', `${G}/stats/1`, {}), status: 401, code: 'UNAUTHORIZED' },
  {
    name: 'a token without exp',
    request: (c) => http('GET', `${G}/stats/1`, auth(jwt.sign({ sub: c.user }, TEST_JWT_SECRET, { algorithm: 'HS256' }))),
    status: 401,
    code: 'UNAUTHORIZED',
  },
];

describe.each(['express', 'fastify'])('raw requests on %s', (adapter) => {
  let app: INestApplication;
  let port: number;
  const user = freshUserId();
  const token = tokenFor(user);
  const answers = new Map<string, RawResponse>();

  beforeAll(async () => {
    app = await startTestApp({ HTTP_ADAPTER: adapter });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  it.each(ROWS.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    const res = await rawRequest(port, row.request({ user, other: freshUserId(), token }));
    answers.set(row.name, res);
    expect({ status: res.status, code: (res.json as { error?: { code?: string } })?.error?.code }).toEqual({ status: row.status, code: row.code });
    if (row.code) {
      expect(res.json).toEqual({
        error: { code: row.code, message: expect.any(String), request_id: expect.any(String), ...(row.field ? { details: { field: row.field } } : {}) },
      });
      const { message, request_id } = (res.json as { error: { message: string; request_id: string } }).error;
      expect(request_id).not.toBe('');
      expect(res.headers['x-request-id']).toBe(request_id);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      // Never the framework's words: fastify's echo the URL, Node's name parser states.
      expect(message).not.toMatch(/FST_|HPE_|%ZZ|xxxxxxxx|111111111111/);
    }
  });

  it('stops draining a refused body past its cap and closes the connection', async () => {
    // 1 GiB declared and sent as fast as the socket takes it: the server must hang up long before.
    const declared = 1024 ** 3;
    const sent = await new Promise<number>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      let bytes = 0;
      const pump = () => {
        while (bytes < declared && !socket.destroyed) {
          bytes += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
      };
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(bytes));
      socket.write(http('PUT', `${G}/settings`, { ...auth(token), 'Content-Type': 'application/json', 'Content-Length': declared }));
      pump();
    });
    // What the server drained, plus what the kernel's and Node's buffers held when it closed.
    expect(sent).toBeLessThan(REFUSED_BODY_DRAIN_BYTES + 48 * 1024 * 1024);
  });

  it('answers a refused body that stops arriving, once its drain time is up, and closes', async () => {
    // 10 MiB declared (over the limit, under the drain cap), 1 KiB sent, then nothing.
    const res = await rawRequest(port, http('PUT', `${G}/settings`, { ...auth(token), 'Content-Type': 'application/json', 'Content-Length': 10 * 1024 * 1024 }, 'a'.repeat(1024)), 30_000);
    expect({ status: res.status, code: (res.json as { error?: { code?: string } })?.error?.code, connection: res.headers.connection }).toEqual({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      connection: 'close',
    });
  });
});
