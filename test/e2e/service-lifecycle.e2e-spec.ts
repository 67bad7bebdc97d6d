import { createServer, Server } from 'node:net';
import { freePort } from '../support/spare-services';
import { ServiceProcess, httpGet } from '../support/service-process';
import { TEST_JWT_SECRET, freshUserId, tokenFor } from '../support/test-app';
import { testInfra } from '../setup/test-infra';

/**
 * The service as an orchestrator runs it: real processes, signals, and a broker that is not there.
 * Each instance is `node main.ts` on a spare port against the test database and Redis.
 */
const base = {
  DATABASE_URL: testInfra.databaseUrl,
  REDIS_URL: testInfra.redisUrl,
  JWT_SECRET: TEST_JWT_SECRET,
  MIGRATIONS_RUN: 'false',
  KAFKA_BROKERS: undefined,
};

describe('rolling restart of two instances behind a readiness-checking balancer', () => {
  const instances: ServiceProcess[] = [];
  afterAll(async () => {
    for (const i of instances) await i.stop();
  });

  it('loses no call: readiness turns 503 at SIGTERM, requests are served through the drain, in-flight ones finish', async () => {
    const ports = [await freePort(), await freePort()];
    const env = { ...base, SHUTDOWN_DRAIN_MS: '1500' };
    const start = (port: number): ServiceProcess => {
      const s = ServiceProcess.start(port, env);
      instances.push(s);
      return s;
    };
    const nodes = ports.map((port) => ({ port, process: start(port), inRotation: false }));
    await Promise.all(nodes.map((n) => n.process.waitReady()));

    // The balancer: probes readiness every 200 ms (as a kubelet or a load balancer does), routes
    // each call to the next node in rotation, and retries a call elsewhere only when it was refused
    // by a node already out of rotation (a router's view lags its probe by up to one period).
    let probing = true;
    const probes = (async () => {
      while (probing) {
        await Promise.all(
          nodes.map(async (n) => {
            n.inRotation = (await httpGet(n.port, '/health/ready').catch(() => null))?.status === 200;
          }),
        );
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    for (const n of nodes) n.inRotation = true;

    const user = freshUserId();
    const auth = { Authorization: `Bearer ${tokenFor(user)}` };
    const failures: string[] = [];
    const servedBy = new Map<number, number>();
    let refusedOutOfRotation = 0;
    let calls = 0;
    let next = 0;
    let looping = true;
    const client = async (): Promise<void> => {
      while (looping) {
        const ready = nodes.filter((n) => n.inRotation);
        if (ready.length === 0) {
          failures.push('no node in rotation');
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        const node = ready[next++ % ready.length]!;
        calls += 1;
        try {
          const res = await httpGet(node.port, `/api/v1/graph/stats/${user}`, auth);
          if (res.status === 200) servedBy.set(node.port, (servedBy.get(node.port) ?? 0) + 1);
          else failures.push(`${node.port}: ${res.status} ${res.body}`);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ECONNREFUSED' && !node.inRotation) refusedOutOfRotation += 1;
          else failures.push(`${node.port}: ${code ?? (error as Error).message}`);
        }
      }
    };
    const clients = [client(), client(), client(), client()];

    const servedDuringDrain: number[] = [];
    for (const node of nodes) {
      await new Promise((r) => setTimeout(r, 500));
      const old = node.process;
      const before = servedBy.get(node.port) ?? 0;
      old.signal('SIGTERM');
      // Readiness turns 503 at once while the listener still answers.
      const first = await old.waitForLine(/shutdown: SIGTERM received/);
      const ready = await httpGet(node.port, '/health/ready');
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toEqual({ status: 'shutting_down' });
      await old.waitForLine(/shutdown: drain over/);
      servedDuringDrain.push((servedBy.get(node.port) ?? 0) - before);
      await old.waitForLine(/shutdown: done/);
      expect(await old.exited).toBe(0);
      const drain = old.lines.find((l) => /drain over/.test(l.text))!;
      expect(drain.at - first.at).toBeGreaterThanOrEqual(1400);
      node.process = start(node.port);
      await node.process.waitReady();
      // Back in rotation once the balancer's probe sees it ready.
      while (!node.inRotation) await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500));
    looping = false;
    await Promise.all(clients);
    probing = false;
    await probes;

    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(50);
    // The balancer saw each 503 before its node closed: nothing was refused while in rotation,
    // and each node served calls routed to it before the balancer noticed.
    expect(refusedOutOfRotation).toBe(0);
    for (const port of ports) expect(servedBy.get(port)).toBeGreaterThan(0);
    expect(servedDuringDrain.every((n) => n >= 0)).toBe(true);
  }, 240000);
});

describe('with a Kafka broker that does not answer', () => {
  let blackhole: Server;
  let brokerPort: number;
  let service: ServiceProcess | null = null;

  beforeAll(async () => {
    // Accepts connections and never answers: the slow kind of outage, where each attempt waits
    // for its timeout.
    brokerPort = await freePort();
    blackhole = createServer(() => undefined);
    await new Promise<void>((resolve) => blackhole.listen(brokerPort, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await service?.stop();
    blackhole.close();
  });

  it('listens before any Kafka attempt ends, reports Kafka as degraded, and logs about one line per backoff step', async () => {
    const svc = ServiceProcess.start(await freePort(), { ...base, KAFKA_BROKERS: `127.0.0.1:${brokerPort}`, KAFKA_GROUP_ID: `blackhole-${freshUserId()}` });
    service = svc;
    const listening = await svc.waitForLine(/"http: express on /);
    // No Kafka attempt has finished (kafkajs' connection timeout is 3 s and it retries) before
    // HTTP listened: nothing from the Kafka server or relay came first.
    const kafkaLines = (): typeof svc.lines => svc.lines.filter((l) => /Kafka|Outbox/.test(l.json?.context ?? ''));
    expect(svc.lines.filter((l) => l.at <= listening.at && /KafkaServer|Outbox/.test(l.json?.context ?? ''))).toEqual([]);

    const ready = await httpGet(svc.port, '/health/ready');
    expect(ready.status).toBe(200);
    const body = JSON.parse(ready.body);
    expect(body.status).toBe('degraded');
    expect(body.down).toEqual(['kafka']);
    expect(body.components.postgres.status).toBe('up');
    const follow = await httpGet(svc.port, `/api/v1/graph/stats/${freshUserId()}`, { Authorization: `Bearer ${tokenFor(freshUserId())}` });
    expect(follow.status).toBe(200);

    // Over 20 s of outage: kafkajs retries every 0.1-2 s for each of its clients (the server's
    // consumer, the admin, the producer); the log shows about one line per backoff step of each.
    const from = Date.now();
    await new Promise((r) => setTimeout(r, 20000));
    const window = kafkaLines().filter((l) => l.at >= from);
    expect(window.length).toBeGreaterThan(0);
    expect(window.length).toBeLessThanOrEqual(20);
  }, 120000);
});
