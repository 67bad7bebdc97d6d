/**
 * npm run chaos [-- --adapter express --outage 6 --recover 4 --workers 24 --base-port 23200 --only postgres,redis --self-test]
 *
 * Runs PostgreSQL, Redis and Kafka of its own (spare ports), the service (the loaded instance) and a
 * second instance (no traffic: its outbox relay shares the work, and is the "relay" killed here),
 * drives a mixed write load (follows, a burst account everyone follows and unfollows, follows of
 * private accounts and their accepts, blocks, privacy changes), and in turn SIGKILLs and SIGSTOPs
 * each of PostgreSQL, Redis, Kafka, the relay instance and the service for `outage` seconds,
 * restarting (or SIGCONT-ing) it, then `recover` seconds of load before the next.
 *
 * Then it checks: every acknowledged write is in the database (per pair, the last acknowledged
 * call, when no later call of that pair went unanswered), every counter row equals a recount, and
 * an independent consumer (every graph.* topic from the start, de-duplicating by event_id) has seen
 * exactly the outbox's events (none missing, none phantom), every accepted edge has its event, and
 * each follower's events on a topic come in the order they happened. Per outage: calls served,
 * 503s, timeouts (no answer within the 5 s client budget) and p99.
 *
 * --self-test: a short load, then the run corrupts the database on purpose (deletes an acknowledged
 * follow, bumps a counter, inserts an edge without its event) and passes only if each is reported.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import jwt from 'jsonwebtoken';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { GRAPH_BLOCK_TOPIC, GRAPH_EVENT_TOPICS } from '@graph/contracts';
import { freePort } from '../../test/support/spare-services';
import { OwnStack, ServiceProcess, argument, httpCall, log, percentile } from './own-stack';

const SECRET = 'chaos-secret-0123456789abcdef';
const G = '/api/v1/graph';
const token = (user: string | bigint) => jwt.sign({ sub: String(user), roles: [] }, SECRET, { algorithm: 'HS256', expiresIn: 7200 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CALL_BUDGET_MS = 5000;

type PairState = 'accepted' | 'pending' | 'none';
interface PairLog {
  expected: PairState | null;
  /** A call on the pair went unanswered (503, timeout, refused) after the last acknowledged one: its outcome is unknown. */
  uncertain: boolean;
}

interface Phase {
  name: string;
  latencies: number[];
  served: number;
  unavailable: number;
  timeouts: number;
  refused: number;
  otherErrors: number;
  startedAt: number;
  /** The longest stall of this harness's own event loop (ms): a late timer here would count as the service's timeout. */
  harnessStallMs: number;
  /** The first calls that got no answer within the budget: method, path, and when they were sent. */
  timedOut: string[];
}

const newPhase = (name: string): Phase => ({ name, latencies: [], served: 0, unavailable: 0, timeouts: 0, refused: 0, otherErrors: 0, startedAt: Date.now(), harnessStallMs: 0, timedOut: [] });
const harnessLoop = monitorEventLoopDelay({ resolution: 20 });
harnessLoop.enable();

/** The load: each worker is one acting user, so the calls on a pair come from one worker, in order. */
class Load {
  readonly pairs = new Map<string, PairLog>();
  /**
   * Pairs with a call whose outcome the client never learnt: no answer, or a 5xx (a query the
   * service stopped waiting for can still commit). Such a change may commit after the worker's next
   * calls, so its event's occurred_at (the transaction's start) need not be in commit order.
   * (Held in `unsure`, shared with the event watcher.)
   */
  acknowledged = 0;
  phase: Phase = newPhase('warm-up');
  readonly phases: Phase[] = [this.phase];
  private running = true;
  private readonly workers: Promise<void>[] = [];

  constructor(
    private readonly service: () => string,
    private readonly ids: { actors: bigint[]; publics: bigint[]; hot: bigint; privates: bigint[]; blockables: bigint[] },
    readonly unsure = new Set<string>(),
  ) {}

  start(workers: number): void {
    for (let i = 0; i < workers; i++) this.workers.push(this.actor(this.ids.actors[i]!));
    for (const p of this.ids.privates) this.workers.push(this.accepter(p));
  }

  nextPhase(name: string): void {
    this.closePhase();
    this.phase = newPhase(name);
    this.phases.push(this.phase);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
    this.closePhase();
  }

  private closePhase(): void {
    this.phase.harnessStallMs = harnessLoop.max / 1e6;
    harnessLoop.reset();
  }

  /** One call: counted in the current phase; null when unanswered. */
  private async call(method: string, path: string, user: bigint, body?: object): Promise<{ status: number; body: string } | null> {
    let phase = this.phase;
    const sentAt = Date.now();
    try {
      const res = await httpCall(this.service(), method, path, {
        token: token(user),
        timeoutMs: CALL_BUDGET_MS,
        ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      });
      phase.latencies.push(res.ms);
      if (res.status === 503) phase.unavailable++;
      else if (res.status < 500) phase.served++;
      else phase.otherErrors++;
      return res.status < 500 ? res : null;
    } catch (error) {
      const message = (error as Error).message;
      // A call sent just before the service was killed or frozen, and cut or left waiting by it,
      // belongs to that outage, not to the phase it was sent in.
      const now = this.phase;
      if (now !== phase && /^SIG(KILL|STOP) service$/.test(now.name)) phase = now;
      if (message === 'timeout') {
        phase.timeouts++;
        phase.latencies.push(CALL_BUDGET_MS);
        if (phase.timedOut.length < 3) phase.timedOut.push(`${method} ${path} sent at +${sentAt - phase.startedAt} ms`);
      } else if (/ECONNREFUSED|ECONNRESET|socket hang up/.test(message)) phase.refused++;
      else phase.otherErrors++;
      // A refused connection never reached the service; anything else may have.
      return null;
    }
  }

  private record(follower: bigint, following: bigint, answered: { status: number } | null, state: PairState): void {
    const key = `${follower}>${following}`;
    const entry = this.pairs.get(key) ?? { expected: null, uncertain: false };
    if (!answered || answered.status >= 500) this.unsure.add(key);
    if (answered && answered.status === 200) {
      entry.expected = state;
      entry.uncertain = false;
      this.acknowledged++;
    } else if (!answered) entry.uncertain = true;
    this.pairs.set(key, entry);
  }

  private async actor(me: bigint): Promise<void> {
    const { publics, hot, privates, blockables } = this.ids;
    const following = new Set<bigint>();
    const blocking = new Set<bigint>();
    let isPrivate = false;
    while (this.running) {
      const r = Math.random();
      if (r < 0.5) {
        // Follow or unfollow a public account; a fifth of the time the burst account.
        const target = Math.random() < 0.2 ? hot : publics[Math.floor(Math.random() * publics.length)]!;
        if (following.has(target)) {
          const res = await this.call('DELETE', `${G}/follow/${target}`, me);
          this.record(me, target, res, 'none');
          if (res?.status === 200) following.delete(target);
        } else {
          const res = await this.call('POST', `${G}/follow/${target}`, me);
          this.record(me, target, res, 'accepted');
          if (res?.status === 200) following.add(target);
        }
      } else if (r < 0.65) {
        const target = privates[Math.floor(Math.random() * privates.length)]!;
        if (this.pairs.get(`${me}>${target}`)?.expected) continue;
        // Pending until the private account accepts (its own worker): only "not none" is checked here.
        const res = await this.call('POST', `${G}/follow/${target}`, me);
        if (res?.status === 200) this.acknowledged++;
        if (!res || res.status >= 500) this.unsure.add(`${me}>${target}`);
        this.pairs.set(`${me}>${target}`, { expected: res?.status === 200 ? 'pending' : null, uncertain: !res });
      } else if (r < 0.85) {
        const target = blockables[Math.floor(Math.random() * blockables.length)]!;
        const block = !blocking.has(target);
        const res = await this.call(block ? 'POST' : 'DELETE', `${G}/block/${target}`, me);
        if (res?.status === 200) {
          this.acknowledged++;
          if (block) blocking.add(target);
          else blocking.delete(target);
        }
      } else if (r < 0.9) {
        const res = await this.call('PUT', `${G}/settings`, me, { is_private: !isPrivate });
        if (res?.status === 200) {
          this.acknowledged++;
          isPrivate = !isPrivate;
        }
      } else {
        await this.call('GET', `${G}/stats/${hot}`, me);
      }
    }
  }

  /** A private account answering its follow requests. */
  private async accepter(me: bigint): Promise<void> {
    while (this.running) {
      const res = await this.call('GET', `${G}/requests?limit=20`, me);
      const requests = res?.status === 200 ? (JSON.parse(res.body) as { requests: { user_id: string }[] }).requests : [];
      for (const r of requests) {
        const ans = await this.call('POST', `${G}/requests/${r.user_id}`, me, { action: 'accept' });
        const key = `${r.user_id}>${me}`;
        const entry = this.pairs.get(key) ?? { expected: null, uncertain: false };
        if (!ans || ans.status >= 500) this.unsure.add(key);
        if (ans?.status === 200) {
          this.acknowledged++;
          this.pairs.set(key, { expected: 'accepted', uncertain: false });
        } else if (!ans) this.pairs.set(key, { ...entry, uncertain: true });
      }
      await sleep(200);
    }
  }
}

/** Every graph.* event from the start of each topic, as an outside consumer sees them. */
class EventWatcher {
  /** `exempt(pair)`: leave the pair's events out of the order check (see Load.unsure). */
  constructor(private readonly exempt: (pair: string) => boolean = () => false) {}

  readonly byId = new Map<string, { topic: string; follower: string; following: string; occurredAt: string; type: string }>();
  duplicates = 0;
  outOfOrder = 0;
  readonly outOfOrderExamples: string[] = [];
  private readonly lastAt = new Map<string, string>();
  private consumer: ReturnType<Kafka['consumer']> | null = null;

  async start(brokers: string): Promise<void> {
    const kafka = new Kafka({ clientId: 'chaos-watcher', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 100, maxRetryTime: 2000 } });
    this.consumer = kafka.consumer({ groupId: `chaos-watch-${randomUUID()}`, maxWaitTimeInMs: 200, retry: { retries: 100, maxRetryTime: 2000 } });
    await this.consumer.connect();
    // Every topic the load's changes write to the outbox: follows and their answers, and blocks.
    await this.consumer.subscribe({ topics: [...Object.values(GRAPH_EVENT_TOPICS), GRAPH_BLOCK_TOPIC], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const raw = JSON.parse(message.value?.toString() ?? '{}') as { event_id: string; follower_id?: string; following_id?: string; blocker_id?: string; blocked_id?: string; occurred_at: string; event_type: string };
        // A block event names blocker and blocked (keyed by the blocker, as follow events by the follower).
        const e = { ...raw, follower_id: raw.follower_id ?? raw.blocker_id!, following_id: raw.following_id ?? raw.blocked_id! };
        if (this.byId.has(e.event_id)) {
          this.duplicates++;
          return;
        }
        this.byId.set(e.event_id, { topic, follower: e.follower_id, following: e.following_id, occurredAt: e.occurred_at, type: e.event_type });
        // Per follower and topic (one partition: the key is the follower), events must come in the order
        // they happened. Block events are checked for delivery only: a block's unfollow events and the
        // blocked user's own writes are unrelated transactions, so their clocks need not follow commit order.
        if (topic === GRAPH_BLOCK_TOPIC || this.exempt(`${e.follower_id}>${e.following_id}`)) return;
        const key = `${topic}/${e.follower_id}`;
        const last = this.lastAt.get(key);
        if (last && Date.parse(e.occurred_at) < Date.parse(last)) {
          this.outOfOrder++;
          if (this.outOfOrderExamples.length < 5) this.outOfOrderExamples.push(`${key}: ${e.event_type} ${e.follower_id}>${e.following_id} at ${e.occurred_at} after ${last}`);
        } else this.lastAt.set(key, e.occurred_at);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}

interface Verdict {
  acknowledged: number;
  lost: string[];
  drift: string[];
  missing: number;
  phantom: number;
  edgesWithoutEvent: string[];
  outOfOrder: number;
  outOfOrderExamples: string[];
  duplicatesSeen: number;
  events: number;
}

async function verify(databaseUrl: string, load: Load, watcher: EventWatcher): Promise<Verdict> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const edges = new Map<string, PairState>();
    for (const r of (await db.query(`SELECT follower_id::text f, following_id::text g, status FROM follows`)).rows as { f: string; g: string; status: string }[]) {
      edges.set(`${r.f}>${r.g}`, r.status === 'accepted' ? 'accepted' : 'pending');
    }
    const lost: string[] = [];
    for (const [key, p] of load.pairs) {
      if (p.uncertain || p.expected === null) continue;
      const actual = edges.get(key) ?? 'none';
      // A pending request may have been accepted by its account meanwhile.
      if (actual !== p.expected && !(p.expected === 'pending' && actual === 'accepted')) lost.push(`${key}: expected ${p.expected}, found ${actual}`);
    }
    const drift = (
      await db.query(`
        WITH counted AS (
          SELECT u AS user_id, sum(fc) fc, sum(gc) gc, sum(pc) pc FROM (
            SELECT following_id u, count(*) FILTER (WHERE status = 'accepted') fc, 0 gc, count(*) FILTER (WHERE status <> 'accepted') pc FROM follows GROUP BY following_id
            UNION ALL
            SELECT follower_id u, 0, count(*) FILTER (WHERE status = 'accepted'), 0 FROM follows GROUP BY follower_id) x GROUP BY u),
        stored AS (SELECT user_id, sum(follower_count) fc, sum(following_count) gc, sum(pending_requests_count) pc FROM user_graph_stats GROUP BY user_id)
        SELECT coalesce(c.user_id, s.user_id)::text AS user_id, c.fc cf, s.fc sf, c.gc cg, s.gc sg, c.pc cp, s.pc sp
        FROM counted c FULL JOIN stored s ON s.user_id = c.user_id
        WHERE coalesce(c.fc, 0) <> coalesce(s.fc, 0) OR coalesce(c.gc, 0) <> coalesce(s.gc, 0) OR coalesce(c.pc, 0) <> coalesce(s.pc, 0)`)
    ).rows.map((r: Record<string, string>) => `${r.user_id}: followers ${r.sf ?? 0} vs ${r.cf ?? 0}, following ${r.sg ?? 0} vs ${r.cg ?? 0}, pending ${r.sp ?? 0} vs ${r.cp ?? 0}`);
    const outbox = new Set(((await db.query(`SELECT event_id::text id FROM outbox_events`)).rows as { id: string }[]).map((r) => r.id));
    const missing = [...outbox].filter((id) => !watcher.byId.has(id)).length;
    const phantom = [...watcher.byId.keys()].filter((id) => !outbox.has(id)).length;
    // The last event seen for each pair must say what the database says.
    const lastEvent = new Map<string, { at: string; type: string }>();
    for (const e of watcher.byId.values()) {
      if (e.topic === GRAPH_BLOCK_TOPIC) continue;
      const key = `${e.follower}>${e.following}`;
      const prev = lastEvent.get(key);
      if (!prev || Date.parse(e.occurredAt) >= Date.parse(prev.at)) lastEvent.set(key, { at: e.occurredAt, type: e.type });
    }
    const edgesWithoutEvent: string[] = [];
    for (const [key, state] of edges) {
      if (state !== 'accepted') continue;
      const last = lastEvent.get(key);
      if (!last || !/follow_request_accepted|^follow$|followed/.test(last.type)) edgesWithoutEvent.push(`${key}: last event ${last?.type ?? 'none'}`);
    }
    return { acknowledged: load.acknowledged, lost, drift, missing, phantom, edgesWithoutEvent, outOfOrder: watcher.outOfOrder, outOfOrderExamples: watcher.outOfOrderExamples, duplicatesSeen: watcher.duplicates, events: watcher.byId.size };
  } finally {
    await db.end();
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await sleep(500);
  }
  return false;
}

async function main(): Promise<void> {
  const adapter = argument('adapter', 'express') as 'express' | 'fastify';
  const outageMs = Number(argument('outage', '6')) * 1000;
  const recoverMs = Number(argument('recover', '4')) * 1000;
  const workers = Number(argument('workers', '24'));
  const selfTest = process.argv.includes('--self-test');
  const only = argument('only', 'postgres,redis,kafka,relay,service').split(',');
  const basePort = argument('base-port', '') ? Number(argument('base-port', '')) : null;
  log(`chaos: ${adapter}, ${workers} writers, outages of ${outageMs / 1000} s then ${recoverMs / 1000} s of recovery${selfTest ? ', self-test' : ''}`);

  const stack = await OwnStack.start(basePort);
  log(`own stack: postgres ${new URL(stack.databaseUrl).port}, redis ${stack.redis.port}, kafka ${stack.kafka.port}`);
  const env = {
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    KAFKA_BROKERS: stack.brokers,
    JWT_SECRET: SECRET,
    HTTP_ADAPTER: adapter,
    MIGRATIONS_RUN: 'true',
    LOG_LEVEL: 'error',
    FOLLOW_RATE_LIMIT: '100000000',
    // Sent rows stay, so the outbox is the full record of events to compare the consumer with.
    OUTBOX_RETENTION_SECONDS: '604800',
  };
  const service = new ServiceProcess('service', basePort ? basePort + 10 : await freePort(), env);
  const relay = new ServiceProcess('relay instance', basePort ? basePort + 11 : await freePort(), env);
  const unsure = new Set<string>();
  const watcher = new EventWatcher((pair) => unsure.has(pair));
  let pass: boolean | undefined;
  try {
    await service.start();
    await relay.start();
    await watcher.start(stack.brokers);
    const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => BigInt(from + i));
    const ids = { actors: range(100000, workers), publics: range(200000, 40), hot: 300000n, privates: range(400000, 4), blockables: range(500000, 20) };
    for (const p of ids.privates) {
      const res = await httpCall(service.url, 'PUT', `${G}/settings`, { token: token(p), body: '{"is_private":true}', headers: { 'content-type': 'application/json' } });
      if (res.status !== 200) throw new Error(`setup: ${res.status} ${res.body}`);
    }
    const load = new Load(() => service.url, ids, unsure);
    load.start(workers);
    await sleep(recoverMs);

    if (!selfTest) {
      const faults: [string, 'SIGKILL' | 'SIGSTOP', () => Promise<void> | void, () => Promise<void> | void][] = [];
      for (const signal of ['SIGKILL', 'SIGSTOP'] as const) {
        const kill = signal === 'SIGKILL';
        if (only.includes('postgres')) faults.push(['postgres', signal, () => (kill ? stack.pg.kill() : stack.pg.freeze()), () => (kill ? stack.pg.start() : stack.pg.thaw())]);
        if (only.includes('redis')) faults.push(['redis', signal, () => (kill ? stack.redis.kill() : stack.redis.freeze()), () => (kill ? stack.redis.start() : stack.redis.thaw())]);
        if (only.includes('kafka')) faults.push(['kafka', signal, () => (kill ? stack.kafka.kill() : stack.kafka.freeze()), () => (kill ? stack.kafka.start() : stack.kafka.thaw())]);
        if (only.includes('relay')) faults.push(['relay', signal, () => (kill ? relay.kill() : relay.signal('SIGSTOP')), () => (kill ? relay.start('live') : relay.signal('SIGCONT'))]);
        if (only.includes('service')) faults.push(['service', signal, () => (kill ? service.kill() : service.signal('SIGSTOP')), () => (kill ? service.start('live') : service.signal('SIGCONT'))]);
      }
      for (const [target, signal, down, up] of faults) {
        log(`-- ${signal} ${target}`);
        load.nextPhase(`${signal} ${target}`);
        await down();
        await sleep(outageMs);
        await up();
        load.nextPhase(`after ${signal} ${target}`);
        await sleep(recoverMs);
      }
    } else {
      await sleep(recoverMs);
    }
    await load.stop();

    // Drain: every outbox row sent and seen by the watcher.
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    const drained = await waitUntil(async () => Number((await db.query(`SELECT count(*) n FROM outbox_events WHERE sent_at IS NULL`)).rows[0].n) === 0, 90000);
    const outboxCount = Number((await db.query(`SELECT count(*) n FROM outbox_events`)).rows[0].n);
    await waitUntil(async () => watcher.byId.size >= outboxCount, 60000);
    if (!drained) log('warning: the outbox did not drain within 90 s');

    if (selfTest) {
      // Corruptions the verdict must find, one of each kind.
      const victim = [...load.pairs.entries()].find(([, p]) => p.expected === 'accepted' && !p.uncertain)?.[0];
      if (!victim) throw new Error('self-test: the load acknowledged no follow');
      const [vf, vg] = victim.split('>');
      await db.query(`DELETE FROM follows WHERE follower_id = $1 AND following_id = $2`, [vf, vg]);
      await db.query(`UPDATE user_graph_stats SET follower_count = follower_count + 7 WHERE user_id = (SELECT user_id FROM user_graph_stats WHERE user_id <> $1 AND user_id <> $2 ORDER BY user_id LIMIT 1) AND slot = 0`, [vf, vg]);
      await db.query(`INSERT INTO follows (follower_id, following_id, status) VALUES (999001, 999002, 'accepted')`);
      const v = await verify(stack.databaseUrl, load, watcher);
      const found = { lost: v.lost.some((l) => l.startsWith(victim)), drift: v.drift.length > 0, edgeWithoutEvent: v.edgesWithoutEvent.some((e) => e.startsWith('999001>999002')) };
      printVerdict(v, load);
      log(`\nself-test: deleted acknowledged follow ${victim} ${found.lost ? 'REPORTED' : 'NOT reported'}; bumped counter ${found.drift ? 'REPORTED' : 'NOT reported'}; edge without event ${found.edgeWithoutEvent ? 'REPORTED' : 'NOT reported'}`);
      pass = found.lost && found.drift && found.edgeWithoutEvent;
    } else {
      const v = await verify(stack.databaseUrl, load, watcher);
      pass = printVerdict(v, load);
    }
    await db.end();
  } finally {
    await watcher.stop();
    await service.stop();
    await relay.stop();
    await stack.dispose();
  }
  log(`\nchaos: ${pass === true ? 'PASS' : 'FAIL'}`);
  process.exitCode = pass === true ? 0 : 1;
}

function printVerdict(v: Verdict, load: Load): boolean {
  log('\nphase                         calls  served    503  timeouts  refused  p99 ms  harness stall ms');
  let waitedPastBudget = 0;
  for (const p of load.phases) {
    const total = p.served + p.unavailable + p.timeouts + p.refused + p.otherErrors;
    // A frozen service cannot answer anyone: its callers' timeouts are the outage itself.
    if (p.name !== 'SIGSTOP service') waitedPastBudget += p.timeouts;
    log(`${p.name.padEnd(28)} ${String(total).padStart(6)} ${String(p.served).padStart(7)} ${String(p.unavailable).padStart(6)} ${String(p.timeouts).padStart(9)} ${String(p.refused).padStart(8)} ${percentile(p.latencies, 99).toFixed(0).padStart(7)} ${p.harnessStallMs.toFixed(0).padStart(17)}`);
  }
  const pass = v.lost.length === 0 && v.drift.length === 0 && v.missing === 0 && v.phantom === 0 && v.outOfOrder === 0 && v.edgesWithoutEvent.length === 0 && waitedPastBudget === 0;
  log(`\nacknowledged writes ${v.acknowledged}; lost ${v.lost.length}; counter rows that differ from a recount ${v.drift.length}`);
  log(`events ${v.events} (duplicates delivered and dropped by event_id: ${v.duplicatesSeen}); missing ${v.missing}; phantom ${v.phantom}; accepted edges without their event ${v.edgesWithoutEvent.length}; out of order per follower ${v.outOfOrder}`);
  for (const example of v.outOfOrderExamples) log(`  out of order: ${example}`);
  log(`calls waiting past the ${CALL_BUDGET_MS} ms budget (outside the frozen-service phase): ${waitedPastBudget}`);
  for (const p of load.phases) for (const call of p.timedOut) log(`  no answer in ${p.name}: ${call}`);
  for (const l of [...v.lost.slice(0, 5), ...v.drift.slice(0, 5), ...v.edgesWithoutEvent.slice(0, 5)]) log(`  ${l}`);
  return pass;
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(2);
});
