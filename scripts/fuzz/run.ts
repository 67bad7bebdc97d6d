/**
 * npm run fuzz [-- --requests 10000 --kafka-messages 1000 --adapter express,fastify --base-port 23100]
 *
 * Malformed input against the whole service: at least `requests` malformed HTTP requests per
 * adapter over every REST endpoint of the OpenAPI document (ids, limits, cursors, bodies, tokens,
 * headers, raw malformed HTTP), then `kafka-messages` malformed messages to every request-reply
 * pattern and to user.events. Runs on PostgreSQL, Redis and Kafka of its own (spare ports from
 * --base-port, or random free ones), the service from source.
 *
 * Pass: no 5xx, no hang (an answer within 5 s), every error in the documented shape
 * {"error": {"code", "message", "request_id"}} (RPC: {"error": {"code", "message"}}), every forged
 * token refused, no change of state in the database nor any event published, and after each
 * malformed request a valid one answered (HTTP: within 5x the p99 measured before the run, at least
 * 100 ms; RPC and user.events: within their timeouts). Exit code 1 on any failure.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import jwt from 'jsonwebtoken';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { GraphClient } from '@graph/client';
import { GRAPH_EVENT_TOPICS, GRAPH_RPC_PATTERNS, USER_EVENTS_TOPIC, graphRpcReplyTopic } from '@graph/contracts';
import { freePort } from '../../test/support/spare-services';
import { OwnStack, ServiceProcess, argument, httpCall, log, percentile } from '../chaos/own-stack';
import { Endpoint, HttpCase, httpCases } from './http-cases';
import { rpcCases, userEventCases } from './kafka-cases';

const SECRET = 'fuzz-secret-0123456789abcdef';
const USERS = Array.from({ length: 10 }, (_, i) => String(5001 + i));
/** The user whose privacy the user.events probes toggle (left out of the state comparison). */
const PROBE_USER = '5099';
/** A user never seeded: the target of admin DELETEs, so one whose fault were ignored changes nothing. */
const OUTSIDER = '5098';
const token = (user: string, admin = false) => jwt.sign({ sub: user, roles: admin ? ['admin'] : [] }, SECRET, { algorithm: 'HS256', expiresIn: 3600 });

interface RawResponse {
  status: number;
  body: string;
  bytes: number;
}

/** Writes `raw` on a new connection and reads until the server closes it; rejects with "hang" past `timeoutMs`. */
function sendRaw(port: number, raw: Buffer, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('hang'));
    }, timeoutMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const headEnd = text.indexOf('\r\n\r\n');
      let body = headEnd >= 0 ? text.slice(headEnd + 4) : '';
      if (/\r\ntransfer-encoding: chunked/i.test(text.slice(0, headEnd))) body = unchunk(body);
      resolve({ status: m ? Number(m[1]) : 0, body: Buffer.from(body, 'latin1').toString('utf8'), bytes: chunks.reduce((n, c) => n + c.length, 0) });
    });
    socket.write(raw);
  });
}

function unchunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const nl = rest.indexOf('\r\n');
    if (nl < 0) return out;
    const size = parseInt(rest.slice(0, nl), 16);
    if (!size) return out;
    out += rest.slice(nl + 2, nl + 2 + size);
    rest = rest.slice(nl + 4 + size);
  }
}

function documentedShape(body: string, withRequestId = true): boolean {
  try {
    const e = (JSON.parse(body) as { error?: Record<string, unknown> }).error;
    return !!e && typeof e.code === 'string' && typeof e.message === 'string' && (!withRequestId || typeof e.request_id === 'string');
  } catch {
    return false;
  }
}

/** The graph's state, in one digest: edges, requests, blocks, private accounts (but the probe user), counters, outbox. */
async function stateDigest(databaseUrl: string): Promise<string> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query(
      `SELECT
         (SELECT md5(coalesce(string_agg(follower_id || '>' || following_id || ':' || status, ',' ORDER BY follower_id, following_id), '')) FROM follows) AS follows,
         (SELECT md5(coalesce(string_agg(blocker_id || '>' || blocked_id, ',' ORDER BY blocker_id, blocked_id), '')) FROM blocks) AS blocks,
         (SELECT md5(coalesce(string_agg(user_id || ':' || is_private, ',' ORDER BY user_id), '')) FROM user_settings WHERE user_id <> $1 AND is_private) AS settings,
         (SELECT md5(coalesce(string_agg(user_id || ':' || f || ':' || g || ':' || p, ',' ORDER BY user_id), '')) FROM
            (SELECT user_id, sum(follower_count) f, sum(following_count) g, sum(pending_requests_count) p FROM user_graph_stats GROUP BY user_id) s) AS stats,
         (SELECT count(*) FROM outbox_events) AS outbox`,
      [PROBE_USER],
    );
    return JSON.stringify(rows[0]);
  } finally {
    await db.end();
  }
}

async function endpointsOf(service: ServiceProcess): Promise<Endpoint[]> {
  const doc = JSON.parse((await httpCall(service.url, 'GET', '/docs-json')).body) as {
    paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: unknown }>>;
  };
  const endpoints: Endpoint[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      endpoints.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        body: op.requestBody !== undefined,
        admin: path.includes('/admin'),
      });
    }
  }
  return endpoints;
}

async function seed(service: ServiceProcess): Promise<void> {
  const [a, b, c, priv, requester, blocker, blocked] = USERS;
  const ok = async (method: string, path: string, user: string, body?: object) => {
    const res = await httpCall(service.url, method, path, { token: token(user), ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
    if (res.status !== 200) throw new Error(`seed ${method} ${path}: ${res.status} ${res.body}`);
  };
  const G = '/api/v1/graph';
  await ok('POST', `${G}/follow/${c}`, b!);
  await ok('POST', `${G}/follow/${b}`, c!);
  await ok('POST', `${G}/follow/${b}`, a!);
  await ok('PUT', `${G}/settings`, priv!, { is_private: true });
  await ok('POST', `${G}/follow/${priv}`, requester!);
  await ok('POST', `${G}/block/${blocked}`, blocker!);
  await ok('PUT', `${G}/settings`, PROBE_USER, { is_private: false });
}

interface Tally {
  sent: number;
  fiveXx: number;
  hangs: number;
  shape: number;
  tokenAccepted: number;
  followUpFailed: number;
  followUpSlow: number;
  failures: Map<string, string>;
  frameworkFailures: Map<string, string>;
  followUpMs: number[];
}

const newTally = (): Tally => ({ sent: 0, fiveXx: 0, hangs: 0, shape: 0, tokenAccepted: 0, followUpFailed: 0, followUpSlow: 0, failures: new Map(), frameworkFailures: new Map(), followUpMs: [] });

async function fuzzHttp(service: ServiceProcess, cases: HttpCase[], count: number, tally: Tally): Promise<{ baselineP99: number }> {
  const probe = () => httpCall(service.url, 'GET', `/api/v1/graph/stats/${USERS[1]}`, { token: token(USERS[0]!), timeoutMs: 5000 });
  const baseline: number[] = [];
  // A dropped keep-alive socket (the service just started) is retried, not a finding.
  for (let i = 0; i < 300; i++) baseline.push((await probe().catch(() => probe())).ms);
  const baselineP99 = percentile(baseline, 99);
  const slowAfter = Math.max(100, 5 * baselineP99);
  const fail = (c: HttpCase, why: string) => {
    const map = c.framework ? tally.frameworkFailures : tally.failures;
    const kind = `${c.name.split(':')[0]}:${why.split(' ')[0]}`;
    if (!map.has(kind)) map.set(kind, `${c.name} → ${why}`);
  };
  for (let i = 0; i < count; i++) {
    const c = cases[i % cases.length]!;
    tally.sent++;
    let res: RawResponse | null = null;
    try {
      res = await sendRaw(service.port, c.raw);
    } catch {
      tally.hangs++;
      fail(c, 'hang (no answer in 5 s)');
    }
    if (res) {
      const category = c.name.split(':')[0]!;
      if (res.status >= 500) {
        tally.fiveXx++;
        fail(c, `${res.status} ${res.body.slice(0, 160)}`);
      } else if (res.status === 0 || (res.status >= 400 && !documentedShape(res.body))) {
        tally.shape++;
        fail(c, `${res.status || 'no status'} not in the documented shape: ${JSON.stringify(res.body.slice(0, 160))}`);
      }
      if ((category === 'token' || category === 'auth-header') && res.status !== 401) {
        tally.tokenAccepted++;
        fail(c, `${res.status} instead of 401`);
      }
    }
    try {
      const after = await probe();
      tally.followUpMs.push(after.ms);
      if (after.status !== 200) {
        tally.followUpFailed++;
        fail(c, `valid request after it: ${after.status}`);
      } else if (after.ms > Math.max(slowAfter, 2000)) {
        tally.followUpSlow++;
        fail(c, `valid request after it took ${after.ms.toFixed(0)} ms`);
      }
    } catch (error) {
      tally.followUpFailed++;
      fail(c, `valid request after it: ${(error as Error).message}`);
    }
  }
  return { baselineP99 };
}

interface KafkaTally {
  sent: number;
  missingReplies: number;
  badReplies: number;
  strayReplies: number;
  eventsPublished: number;
  followUpFailed: number;
  userEventsStuck: number;
  followUpMs: number[];
  failures: Map<string, string>;
}

async function fuzzKafka(brokers: string, service: ServiceProcess, count: number): Promise<KafkaTally> {
  const tally: KafkaTally = { sent: 0, missingReplies: 0, badReplies: 0, strayReplies: 0, eventsPublished: 0, followUpFailed: 0, userEventsStuck: 0, followUpMs: [], failures: new Map() };
  const kafka = new Kafka({ clientId: 'fuzz', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  // Everything that lands on a reply or event topic, by correlation id.
  const seen = new Map<string, { topic: string; value: string }[]>();
  const watcher = kafka.consumer({ groupId: `fuzz-watch-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await watcher.connect();
  const watched = [...Object.values(GRAPH_RPC_PATTERNS).map(graphRpcReplyTopic), ...Object.values(GRAPH_EVENT_TOPICS)];
  await watcher.subscribe({ topics: watched, fromBeginning: false });
  let joined = false;
  watcher.on(watcher.events.GROUP_JOIN, () => (joined = true));
  await watcher.run({
    eachMessage: async ({ topic, message }) => {
      if (Object.values(GRAPH_EVENT_TOPICS).includes(topic as never)) tally.eventsPublished++;
      const id = message.headers?.kafka_correlationId?.toString();
      if (id) seen.set(id, [...(seen.get(id) ?? []), { topic, value: message.value?.toString() ?? '' }]);
    },
  });
  while (!joined) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1000));
  const client = new GraphClient({ brokers: brokers.split(','), groupId: `fuzz-client-${randomUUID()}`, timeoutMs: 10000 });
  await client.onModuleInit();
  const fail = (name: string, why: string) => {
    const kind = `${name.split(':')[0]}:${name.split(':')[2]}`;
    if (!tally.failures.has(kind)) tally.failures.set(kind, `${name} → ${why}`);
  };
  const followUp = async (name: string) => {
    const started = performance.now();
    try {
      await client.stats([USERS[0]!]);
      tally.followUpMs.push(performance.now() - started);
    } catch (error) {
      tally.followUpFailed++;
      fail(name, `valid request after it: ${(error as Error).message}`);
    }
  };

  const cases = rpcCases();
  const events = userEventCases();
  const pending: { name: string; id: string; answered: boolean; topic: string }[] = [];
  let probePrivate = false;
  for (let i = 0; i < count; i++) {
    tally.sent++;
    // One user.events message in every six, the rest to the request-reply patterns.
    if (i % 6 === 5) {
      const [name, value] = events[Math.floor(i / 6) % events.length]!;
      probePrivate = !probePrivate;
      await producer.send({
        topic: USER_EVENTS_TOPIC,
        messages: [
          { key: PROBE_USER, value },
          { key: PROBE_USER, value: JSON.stringify({ event_type: 'user.privacy_changed', user_id: PROBE_USER, is_private: probePrivate }) },
        ],
      });
      const deadline = Date.now() + 15000;
      for (;;) {
        const res = await httpCall(service.url, 'GET', '/api/v1/graph/settings', { token: token(PROBE_USER) }).catch(() => null);
        if (res?.status === 200 && (JSON.parse(res.body) as { is_private: boolean }).is_private === probePrivate) break;
        if (Date.now() > deadline) {
          tally.userEventsStuck++;
          fail(`user.events:${USER_EVENTS_TOPIC}:${name}`, 'the valid event after it was not applied within 15 s');
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      continue;
    }
    const c = cases[i % cases.length]!;
    const id = randomUUID();
    const headers: Record<string, string> = {};
    if (c.correlationId) headers.kafka_correlationId = id;
    if (c.replyTopic !== null) headers.kafka_replyTopic = c.replyTopic;
    if (c.replyPartition !== null) headers.kafka_replyPartition = c.replyPartition;
    await producer.send({ topic: c.topic, messages: [{ value: c.value, headers: { ...headers, fuzz_id: id } }] });
    pending.push({ name: c.name, id, answered: c.answered && c.correlationId, topic: c.topic });
    await followUp(c.name);
  }
  // Replies settle: every answered case has exactly its reply on its own reply topic, the others nothing.
  await new Promise((r) => setTimeout(r, 3000));
  for (const p of pending) {
    const got = seen.get(p.id) ?? [];
    const own = got.filter((g) => g.topic === `${p.topic}.reply`);
    const stray = got.filter((g) => g.topic !== `${p.topic}.reply`);
    if (stray.length > 0) {
      tally.strayReplies++;
      fail(p.name, `published to ${stray.map((s) => s.topic).join(', ')}`);
    }
    if (p.answered) {
      if (own.length === 0) {
        tally.missingReplies++;
        fail(p.name, 'no reply within its timeout');
      } else {
        const value = own[0]!.value;
        let ok = false;
        try {
          ok = (JSON.parse(value) as { data?: unknown }).data !== undefined || documentedShape(value, false);
        } catch {
          // Not JSON: not in shape.
        }
        if (!ok) {
          tally.badReplies++;
          fail(p.name, `reply not {data} nor {error: {code, message}}: ${value.slice(0, 160)}`);
        }
      }
    } else if (own.length > 0 && !p.name.includes('partition-missing')) {
      tally.strayReplies++;
      fail(p.name, 'answered although its reply headers are bad');
    }
  }
  await client.onModuleDestroy();
  await watcher.disconnect();
  await producer.disconnect();
  return tally;
}

function printTally(label: string, t: Tally, baselineP99: number): boolean {
  const pass = t.fiveXx === 0 && t.hangs === 0 && t.shape === 0 && t.tokenAccepted === 0 && t.followUpFailed === 0 && t.followUpSlow === 0;
  log(`${pass ? 'PASS' : 'FAIL'} http ${label}: ${t.sent} malformed requests; 5xx ${t.fiveXx}, hangs ${t.hangs}, outside the documented shape ${t.shape}, forged/bad tokens not refused ${t.tokenAccepted}`);
  log(`     valid request after each: failed ${t.followUpFailed}, slow ${t.followUpSlow}; p50 ${percentile(t.followUpMs, 50).toFixed(1)} ms, p99 ${percentile(t.followUpMs, 99).toFixed(1)} ms (before the run: p99 ${baselineP99.toFixed(1)} ms)`);
  for (const [kind, example] of t.failures) log(`     app-level   ${kind}: ${example}`);
  for (const [kind, example] of t.frameworkFailures) log(`     framework   ${kind}: ${example}`);
  return pass;
}

async function main(): Promise<void> {
  const adapters = argument('adapter', 'express,fastify').split(',') as ('express' | 'fastify')[];
  const requests = Number(argument('requests', '10000'));
  const kafkaMessages = Number(argument('kafka-messages', '1000'));
  const basePort = argument('base-port', '') ? Number(argument('base-port', '')) : null;
  log(`fuzz: ${requests} malformed requests per adapter (${adapters.join(', ')}), ${kafkaMessages} malformed Kafka messages`);
  const stack = await OwnStack.start(basePort);
  log(`own stack: postgres ${new URL(stack.databaseUrl).port}, redis ${stack.redis.port}, kafka ${stack.kafka.port}`);
  let pass = true;
  try {
    const env = {
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: stack.redisUrl,
      KAFKA_BROKERS: stack.brokers,
      JWT_SECRET: SECRET,
      MIGRATIONS_RUN: 'true',
      LOG_LEVEL: 'error',
      FOLLOW_RATE_LIMIT: '1000000',
      // Sent outbox rows stay, so the digest's outbox count is the number of events ever written.
      OUTBOX_RETENTION_SECONDS: '604800',
    };
    let seeded = false;
    let before = '';
    for (const [i, adapter] of adapters.entries()) {
      const service = new ServiceProcess(`service (${adapter})`, basePort ? basePort + 10 + i : await freePort(), { ...env, HTTP_ADAPTER: adapter });
      await service.start();
      try {
        if (!seeded) {
          await seed(service);
          seeded = true;
          await new Promise((r) => setTimeout(r, 1500)); // the seeded graph's events relayed before the digest
          before = await stateDigest(stack.databaseUrl);
        }
        const endpoints = await endpointsOf(service);
        const cases = httpCases(endpoints, { secret: SECRET, users: USERS, requested: { owner: USERS[3]!, requester: USERS[4]! }, outsider: OUTSIDER }, token);
        log(`\n== ${adapter}: ${endpoints.length} endpoints, ${new Set(cases.map((c) => c.name)).size} distinct cases`);
        const tally = newTally();
        const started = Date.now();
        const { baselineP99 } = await fuzzHttp(service, cases, Math.max(requests, 0), tally);
        log(`   (${((Date.now() - started) / 1000).toFixed(0)} s)`);
        pass = printTally(adapter, tally, baselineP99) && pass;
        if (i === 0 && kafkaMessages > 0) {
          const k = await fuzzKafka(stack.brokers, service, kafkaMessages);
          const kpass = k.missingReplies === 0 && k.badReplies === 0 && k.strayReplies === 0 && k.eventsPublished === 0 && k.followUpFailed === 0 && k.userEventsStuck === 0;
          log(`\n${kpass ? 'PASS' : 'FAIL'} kafka: ${k.sent} malformed messages (${rpcCases().length} request-reply cases over ${Object.keys(GRAPH_RPC_PATTERNS).length} patterns, ${userEventCases().length} user.events cases)`);
          log(`     replies missing ${k.missingReplies}, not in shape ${k.badReplies}, sent where they must not go ${k.strayReplies}, events published ${k.eventsPublished}, user.events held up ${k.userEventsStuck}`);
          log(`     valid request after each: failed ${k.followUpFailed}; p50 ${percentile(k.followUpMs, 50).toFixed(1)} ms, p99 ${percentile(k.followUpMs, 99).toFixed(1)} ms`);
          for (const [kind, example] of k.failures) log(`     ${kind}: ${example}`);
          pass = kpass && pass;
        }
      } finally {
        await service.stop();
      }
    }
    const after = await stateDigest(stack.databaseUrl);
    const same = after === before;
    log(`\n${same ? 'PASS' : 'FAIL'} state: ${same ? 'unchanged (edges, requests, blocks, settings, counters, outbox)' : `changed: ${before} → ${after}`}`);
    pass = same && pass;
  } finally {
    await stack.dispose();
  }
  log(`\nfuzz: ${pass ? 'PASS' : 'FAIL'}`);
  process.exitCode = pass ? 0 : 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`fuzz failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(2);
});
