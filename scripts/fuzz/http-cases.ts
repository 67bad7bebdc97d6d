import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** One malformed HTTP request, as bytes on the wire (so anything can be malformed, not only what a client library allows). */
export interface HttpCase {
  /** category:variant, for the report (about 3,000 distinct ones over all endpoints). */
  name: string;
  /** Raw request bytes, sent on a fresh connection that the request closes. */
  raw: Buffer;
  /** Framework-level: a malformed request Node's HTTP parser or the router refuses before the app sees it. */
  framework: boolean;
}

/** An operation of the OpenAPI document: method, path template, path and query parameters, whether it takes a body. */
export interface Endpoint {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  body: boolean;
  admin: boolean;
}

export interface CaseContext {
  secret: string;
  /** Users that exist in the seeded graph. */
  users: string[];
  /** A user with a pending request from requester (for "another user's request"). */
  requested: { owner: string; requester: string };
  /** A user with nothing in the graph: admin DELETEs name them (erasing the caller would be a real write). */
  outsider: string;
}

const BAD_IDS = [
  '', '0', '-1', 'abc', '1.5', '1e3', '0x1f', ' 1', '1 ', '+1', '01x', '99999999999999999999', '9223372036854775808', '18446744073709551616',
  '%ZZ', '%00', '%2e%2e', '..', 'null', 'undefined', 'true', '[]', '{}', '%7B%7D', '１２', 'a'.repeat(101), '9'.repeat(400), '1%0A2', '1;2', '1,2',
  "1'--", '1%27%20OR%201=1', '%F0%9F%98%80', 'NaN', 'Infinity', '-0', '0.0',
];
const BAD_LIMITS = ['0', '-1', '101', '1000000', 'abc', '1.5', '', '1e2', '0x10', 'NaN', ' 5', '5 ', '%00', '9'.repeat(60), '[]'];
const BAD_CURSORS = ['x', '', '...', 'eyJ9', 'a'.repeat(5000), '%ZZ', Buffer.from('{"a":1}').toString('base64url'), 'null', '0', '..%2f', Buffer.alloc(64, 0xff).toString('base64url')];

function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** Forged, expired and otherwise wrong bearer tokens for `sub`, named. */
function badTokens(secret: string, sub: string): [string, string][] {
  const now = Math.floor(Date.now() / 1000);
  const hs = (payload: object, header: object = { alg: 'HS256', typ: 'JWT' }, key = secret, alg = 'sha256') => {
    const head = `${b64(header)}.${b64(payload)}`;
    return `${head}.${createHmac(alg, key).update(head).digest('base64url')}`;
  };
  return [
    ['expired', jwt.sign({ sub, exp: now - 10 }, secret, { algorithm: 'HS256' })],
    ['expired-long-ago', jwt.sign({ sub, exp: 1000 }, secret, { algorithm: 'HS256' })],
    ['no-exp', hs({ sub })],
    ['wrong-signature', jwt.sign({ sub, exp: now + 3600 }, `${secret}-other`, { algorithm: 'HS256' })],
    ['alg-none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, exp: now + 3600 })}.`],
    ['alg-None', `${b64({ alg: 'None' })}.${b64({ sub, exp: now + 3600 })}.`],
    ['alg-RS256-hmac', hs({ sub, exp: now + 3600 }, { alg: 'RS256', typ: 'JWT' })],
    ['alg-HS512', hs({ sub, exp: now + 3600 }, { alg: 'HS512' }, secret, 'sha512')],
    ['alg-HS384', hs({ sub, exp: now + 3600 }, { alg: 'HS384' }, secret, 'sha384')],
    ['admin-forged', jwt.sign({ sub, roles: ['admin'], exp: now + 3600 }, `${secret}-x`, { algorithm: 'HS256' })],
    ['sub-missing', jwt.sign({ exp: now + 3600 }, secret, { algorithm: 'HS256' })],
    ['sub-zero', jwt.sign({ sub: '0', exp: now + 3600 }, secret, { algorithm: 'HS256' })],
    ['sub-text', jwt.sign({ sub: 'alice', exp: now + 3600 }, secret, { algorithm: 'HS256' })],
    ['sub-object', jwt.sign({ sub: { id: sub }, exp: now + 3600 } as object, secret, { algorithm: 'HS256' })],
    ['sub-huge', jwt.sign({ sub: '9'.repeat(40), exp: now + 3600 }, secret, { algorithm: 'HS256' })],
    ['nbf-future', jwt.sign({ sub, exp: now + 7200, nbf: now + 3600 }, secret, { algorithm: 'HS256' })],
    ['exp-text', hs({ sub, exp: 'tomorrow' })],
    ['two-parts', `${b64({ alg: 'HS256' })}.${b64({ sub })}`],
    ['garbage', 'not.a.token'],
    ['empty-parts', '..'],
    ['non-base64', '%%%.%%%.%%%'],
    ['huge', `${b64({ alg: 'HS256' })}.${b64({ sub, pad: 'x'.repeat(6000) })}.sig`],
    ['header-not-json', `${b64('nope')}.${b64({ sub })}.x`],
    ['payload-array', hs([sub] as unknown as object)],
  ];
}

function request(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Buffer {
  const bodyBuf = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: fuzz', 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (bodyBuf !== undefined && !Object.keys(headers).some((k) => /^(content-length|transfer-encoding)$/i.test(k))) lines.push(`Content-Length: ${bodyBuf.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), bodyBuf ?? Buffer.alloc(0)]);
}

function fill(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '1');
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

/** Bodies that a body-taking endpoint must refuse (bad JSON, wrong shapes and types, prototype keys, deep, huge). */
function badBodies(): [string, string, Record<string, string>][] {
  const json = { 'Content-Type': 'application/json' };
  return [
    ['invalid-json', '{"is_private":', json],
    ['invalid-json-trailing', '{"action":"accept"} x', json],
    ['null', 'null', json],
    ['array', '[]', json],
    ['string', '"accept"', json],
    ['number', '42', json],
    ['empty-object', '{}', json],
    ['empty-with-type', '', json],
    ['empty-no-type', '', {}],
    ['text-plain', 'is_private=true', { 'Content-Type': 'text/plain' }],
    ['form', 'is_private=true&action=accept', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['json-without-type', '{"is_private":true,"action":"accept"}', {}],
    ['wrong-type-string', '{"is_private":"true","action":1}', json],
    ['wrong-type-null', '{"is_private":null,"action":null}', json],
    ['wrong-type-number', '{"is_private":1,"action":["accept"]}', json],
    ['unknown-field', '{"is_private":false,"action":"accept","admin":true}', json],
    ['proto-key', '{"is_private":false,"action":"accept","__proto__":{"admin":true}}', json],
    ['constructor-key', '{"is_private":false,"action":"accept","constructor":{"prototype":{"admin":true}}}', json],
    ['nested-proto', '{"is_private":false,"action":"accept","x":{"__proto__":1}}', json],
    ['deep-2000', `{"is_private":false,"action":"accept","x":${deep(2000)}}`, json],
    ['deep-100000', `{"is_private":false,"x":${deep(100000)}}`, json],
    ['deep-object', `{"is_private":false,"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`, json],
    ['huge-2mb', `{"is_private":false,"x":"${'a'.repeat(2 * 1024 * 1024)}"}`, json],
    ['many-keys', `{${Array.from({ length: 20000 }, (_, i) => `"k${i}":1`).join(',')}}`, json],
    ['action-case', '{"action":"ACCEPT"}', json],
    ['action-unknown', '{"action":"approve"}', json],
    ['bad-utf8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]).toString('latin1'), json],
    ['charset-bad', '{"is_private":true}', { 'Content-Type': 'application/json; charset=utf-99' }],
    ['gzip-claimed', '{"is_private":true}', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }],
  ];
}

/**
 * Every malformed request the fuzzer knows for `endpoints`, deterministic. Path ids, limits and
 * cursors, bodies, tokens and headers are each made wrong while everything else is valid, so a
 * refusal is for that one fault, and a token that is wrongly accepted would change state (the run
 * checks the database).
 */
export function httpCases(endpoints: Endpoint[], ctx: CaseContext, validToken: (user: string, admin?: boolean) => string): HttpCase[] {
  const cases: HttpCase[] = [];
  const [u1, u2] = ctx.users;
  const add = (name: string, raw: Buffer, framework = false) => cases.push({ name, raw, framework });
  for (const ep of endpoints) {
    const key = `${ep.method} ${ep.path}`;
    const token = validToken(u1!, ep.admin);
    const auth = { Authorization: `Bearer ${token}` };
    // Reads name other users; writes name the caller, so the request is a refusal or a no-op even
    // where the fault under test were ignored (a follow of oneself, answering a request one has not got).
    // An admin DELETE (erase a user, evict their cache) of someone with nothing in the graph is a no-op.
    const writeTarget = ep.admin && ep.method === 'DELETE' ? ctx.outsider : u1!;
    const valid: Record<string, string> = Object.fromEntries(ep.pathParams.map((p, i) => [p, ep.method !== 'GET' ? writeTarget : i === 0 ? u2! : ctx.users[2]!]));
    const validBody = ep.path.includes('settings') ? '{"is_private":false}' : '{"action":"reject"}';
    const bodyHeaders: Record<string, string> = ep.body ? { 'Content-Type': 'application/json' } : {};
    const body = ep.body ? validBody : undefined;
    // Ids.
    for (const param of ep.pathParams) {
      for (const bad of BAD_IDS) {
        add(`id:${key}:${param}=${bad.slice(0, 20)}`, request(ep.method, fill(ep.path, { ...valid, [param]: bad === '' ? '' : bad.includes('%') ? bad : encodeURIComponent(bad) }), { ...auth, ...bodyHeaders }, body), bad.length > 100 || /%ZZ|%00/.test(bad));
      }
    }
    // Query parameters.
    const path = fill(ep.path, valid);
    for (const q of ep.queryParams) {
      const values = q === 'limit' ? BAD_LIMITS : q === 'cursor' ? BAD_CURSORS : q === 'ids' ? ['', ',', '1,,2', 'a,b', Array.from({ length: 101 }, (_, i) => i + 1).join(','), '0', '-1,2', '1'.repeat(30), '%ZZ'] : ['', 'x', '%ZZ'];
      for (const v of values) add(`query:${key}:${q}=${v.slice(0, 20)}`, request(ep.method, `${path}?${q}=${v.replace(/ /g, '%20')}`, { ...auth, ...bodyHeaders }, body), v === '%ZZ');
      add(`query:${key}:${q}-repeated`, request(ep.method, `${path}?${q}=1&${q}=2`, { ...auth, ...bodyHeaders }, body));
      add(`query:${key}:${q}-array`, request(ep.method, `${path}?${q}[]=1`, { ...auth, ...bodyHeaders }, body));
      add(`query:${key}:${q}-object`, request(ep.method, `${path}?${q}[a]=1`, { ...auth, ...bodyHeaders }, body));
    }
    add(`query:${key}:proto`, request(ep.method, `${path}?__proto__[admin]=1&constructor[prototype][x]=1`, { ...auth, ...bodyHeaders }, body));
    // Bodies: on every endpoint (one that takes none must still answer in shape).
    for (const [name, text, headers] of badBodies()) add(`body:${key}:${name}`, request(ep.method, path, { ...auth, ...headers }, text), name === 'huge-2mb' || name === 'charset-bad' || name === 'gzip-claimed');
    // Tokens.
    for (const [name, bad] of badTokens(ctx.secret, u1!)) add(`token:${key}:${name}`, request(ep.method, path, { Authorization: `Bearer ${bad}`, ...bodyHeaders }, body));
    for (const [name, value] of [
      ['missing', undefined],
      ['bearer-only', 'Bearer'],
      ['bearer-space', 'Bearer '],
      ['basic', 'Basic dXNlcjpwYXNz'],
      ['token-only', token],
      ['two-tokens', `Bearer ${token} ${token}`],
    ] as [string, string | undefined][]) {
      const h: Record<string, string> = { ...bodyHeaders };
      if (value !== undefined) h.Authorization = value;
      add(`auth-header:${key}:${name}`, request(ep.method, path, h, body));
    }
    // Headers the framework parses.
    add(`header:${key}:oversized`, request(ep.method, path, { ...auth, 'X-Pad': 'a'.repeat(20000) }, body), true);
    add(`header:${key}:bad-name`, Buffer.from(`${ep.method} ${path} HTTP/1.1\r\nHost: fuzz\r\nBad Header: 1\r\nConnection: close\r\n\r\n`), true);
    add(`header:${key}:content-length-bad`, request(ep.method, path, { ...auth, 'Content-Length': 'abc' }, ''), true);
    add(`header:${key}:content-length-twice`, Buffer.from(`${ep.method} ${path} HTTP/1.1\r\nHost: fuzz\r\nContent-Length: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`), true);
    add(`header:${key}:chunked-bad`, request(ep.method, path, { ...auth, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, 'zz\r\n{}\r\n0\r\n\r\n'), true);
    add(`header:${key}:request-id-huge`, request(ep.method, path, { ...auth, 'X-Request-Id': 'r'.repeat(5000), ...bodyHeaders }, body));
    add(`header:${key}:request-id-control`, request(ep.method, path, { ...auth, 'X-Request-Id': 'a\u0001b', ...bodyHeaders }, body), true);
    add(`header:${key}:accept-xml`, request(ep.method, path, { Accept: 'application/xml', ...bodyHeaders }, body));
    // Wrong method on the path.
    add(`method:${key}:PATCH`, request('PATCH', path, auth), false);
  }
  // Another user's data: answer a request addressed to someone else, remove a follower one does not have.
  // A user who is neither the requester nor the requested account.
  const other = validToken(ctx.users.find((u) => u !== ctx.requested.owner && u !== ctx.requested.requester && u !== u1)!);
  add('other-user:accept-someone-elses-request', request('POST', `/api/v1/graph/requests/${ctx.requested.requester}`, { Authorization: `Bearer ${other}`, 'Content-Type': 'application/json' }, '{"action":"accept"}'));
  add('other-user:reject-someone-elses-request', request('POST', `/api/v1/graph/requests/${ctx.requested.requester}`, { Authorization: `Bearer ${other}`, 'Content-Type': 'application/json' }, '{"action":"reject"}'));
  add('self:follow-self', request('POST', `/api/v1/graph/follow/${u1}`, { Authorization: `Bearer ${validToken(u1!)}` }));
  add('self:block-self', request('POST', `/api/v1/graph/block/${u1}`, { Authorization: `Bearer ${validToken(u1!)}` }));
  // Raw malformed HTTP.
  for (const [name, raw] of [
    ['garbage', 'HELLO\r\n\r\n'],
    ['no-version', 'GET /api/v1/graph/stats/1\r\n\r\n'],
    ['bad-version', 'GET /api/v1/graph/stats/1 HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['nul-in-path', 'GET /api/v1/graph/stats/1\u0000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['space-in-path', 'GET /api/v1/graph/stats/1 2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['bare-lf', 'GET /api/v1/graph/stats/1 HTTP/1.1\nHost: x\nConnection: close\n\n'],
    ['absolute-uri', 'GET http://evil/api/v1/graph/stats/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['asterisk', 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['header-folding', 'GET /api/v1/graph/stats/1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  continued\r\nConnection: close\r\n\r\n'],
    ['te-and-cl', 'POST /api/v1/graph/follow/2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n'],
    ['very-long-path', `GET /api/v1/graph/stats/${'1'.repeat(70000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
    ['unknown-method', 'BREW /api/v1/graph/stats/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
  ] as [string, string][]) {
    add(`raw:${name}`, Buffer.from(raw, 'latin1'), true);
  }
  add('route:unknown', request('GET', '/api/v1/graph/nope', { Authorization: `Bearer ${validToken(u1!)}` }));
  add('route:bad-url-encoding', request('GET', '/api/v1/graph/%E0%A4%A', { Authorization: `Bearer ${validToken(u1!)}` }), true);
  return cases;
}
