import { randomUUID } from 'node:crypto';
import { AddressInfo, Server, Socket, connect, createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { DataSource } from 'typeorm';
import { DatabaseWaitBudget, KafkaEventPublisher, MetricsRegistry, PostgresBreaker, createDataSource, createRedisClient } from '@graph/infrastructure';
import { LuaScript } from '@graph/infrastructure/redis/lua-script';
import { RedisRateLimiter } from '@graph/infrastructure/redis/redis-rate-limiter';
import { testInfra } from '../setup/test-infra';
import { SpareRedis } from '../support/spare-services';

describe('real components', () => {
  describe('PostgreSQL after the migrations', () => {
    let db: DataSource;
    beforeAll(async () => {
      db = createDataSource(testInfra.databaseUrl, 2, 5000);
      await db.initialize();
    });
    afterAll(() => db.destroy());

    it('has the designed tables and indexes', async () => {
      const tables = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
      expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(
        expect.arrayContaining(['follows', 'user_graph_stats', 'blocks', 'user_settings', 'outbox_events', 'migrations']),
      );
      const indexes = await db.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'follows'`);
      const pending = indexes.find((i: { indexname: string }) => i.indexname === 'idx_follows_pending');
      expect(pending.indexdef).toContain(`WHERE ((status)::text = 'pending'::text)`);
    });

    it('refuses a self-follow and a duplicate pair at the database level', async () => {
      await expect(db.query(`INSERT INTO follows (follower_id, following_id, status) VALUES (1, 1, 'accepted')`)).rejects.toThrow(
        /check_not_self_follow/,
      );
      await db.query(`INSERT INTO follows (follower_id, following_id, status) VALUES (900001, 900002, 'accepted')`);
      await expect(
        db.query(`INSERT INTO follows (follower_id, following_id, status) VALUES (900001, 900002, 'accepted')`),
      ).rejects.toThrow(/duplicate key/);
      await db.query(`DELETE FROM follows WHERE follower_id = 900001`);
    });
  });

  describe('PostgreSQL breaker', () => {
    it('stays closed after one query outlives its read timeout inside a transaction: the connection it cuts is not an outage', async () => {
      // As every write in flight does when the service resumes from a pause (SIGSTOP, a stalled host)
      // with its read timeouts overdue, while the server is fine.
      // Opened, the breaker would refuse every call for the whole test (breakerOpenMs).
      const waits = { connectTimeoutMs: 300, queryTimeoutMs: 300, breakerOpenMs: 30000 };
      const db = createDataSource(testInfra.databaseUrl, 2, 5000, waits);
      await db.initialize();
      const breaker = new PostgresBreaker(testInfra.databaseUrl, waits, null);
      breaker.guard(db);
      try {
        const runner = db.createQueryRunner();
        await runner.connect();
        await runner.startTransaction();
        await expect(runner.query('SELECT pg_sleep(1)')).rejects.toThrow(/Query read timeout/);
        // TypeORM then rolls back on the connection the breaker cut, which fails as a dead one does.
        await expect(runner.rollbackTransaction()).rejects.toThrow(/Connection terminated/);
        await runner.release();
        await new Promise((r) => setTimeout(r, 2 * waits.connectTimeoutMs)); // the confirming probe's time
        expect(breaker.isOpen).toBe(false);
        expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      } finally {
        breaker.stop();
        await db.destroy();
      }
    });
  });

  describe('PostgreSQL breaker, while the server refuses or is frozen, and when it is back', () => {
    // The probes' way to the server: refusing (each connection cut at once), silent (connections
    // accepted and held, nothing answered: a frozen server), or up (held ones go through as they were).
    const target = new URL(testInfra.databaseUrl);
    let mode: 'refuse' | 'silent' | 'up' = 'refuse';
    let attempts = 0;
    const held: { socket: Socket; sent: Buffer[] }[] = [];
    let gate: Server;
    let gateUrl: string;
    const pass = (socket: Socket, sent: Buffer[]): void => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const chunk of sent) upstream.write(chunk);
      socket.pipe(upstream).pipe(socket);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    };
    const setMode = (next: typeof mode): void => {
      mode = next;
      if (next !== 'up') return;
      for (const { socket, sent } of held.splice(0)) {
        socket.removeAllListeners('data');
        if (!socket.destroyed) pass(socket, sent);
      }
    };
    beforeAll(async () => {
      gate = createServer((socket: Socket) => {
        attempts++;
        socket.on('error', () => undefined);
        if (mode === 'refuse') return void socket.destroy();
        if (mode === 'up') return pass(socket, []);
        const entry = { socket, sent: [] as Buffer[] };
        socket.on('data', (chunk: Buffer) => entry.sent.push(chunk));
        held.push(entry);
      });
      await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
      const url = new URL(testInfra.databaseUrl);
      url.port = String((gate.address() as AddressInfo).port);
      gateUrl = url.toString();
    });
    afterAll(() => {
      for (const { socket } of held.splice(0)) socket.destroy();
      return new Promise((resolve) => gate.close(resolve));
    });

    /**
     * A breaker whose probes go through the gate, opened by the server ending the session (SQLSTATE
     * 57P01, as at a shutdown); `outage` runs while it is open and the gate is `during` (probes
     * counted from its start), then the gate lets everything through. Returns how long the breaker
     * took to close after that.
     */
    async function outageThenBack(waits: DatabaseWaitBudget, during: 'refuse' | 'silent', outage: () => Promise<void>): Promise<number> {
      setMode(during);
      const db = createDataSource(testInfra.databaseUrl, 1, 5000, waits);
      await db.initialize();
      const breaker = new PostgresBreaker(gateUrl, waits, null);
      breaker.guard(db);
      try {
        await expect(db.query('SELECT pg_terminate_backend(pg_backend_pid())')).rejects.toThrow();
        expect(breaker.isOpen).toBe(true);
        await expect(db.query('SELECT 1')).rejects.toThrow(/unavailable/);
        attempts = 0;
        await outage();
        setMode('up');
        const back = Date.now();
        while (breaker.isOpen && Date.now() - back < 5000) await new Promise((r) => setTimeout(r, 5));
        const tookMs = Date.now() - back;
        expect(breaker.isOpen).toBe(false);
        expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
        return tookMs;
      } finally {
        breaker.stop();
        await db.destroy();
      }
    }

    it('probes once per open period while the server refuses, and closes within about a period of it answering', async () => {
      const tookMs = await outageThenBack({ connectTimeoutMs: 500, queryTimeoutMs: 2000, breakerOpenMs: 200 }, 'refuse', async () => {
        await new Promise((r) => setTimeout(r, 2000));
        // Ten periods: a probe in each (refused in microseconds), give or take a loaded machine's timers.
        expect(attempts).toBeGreaterThanOrEqual(6);
        expect(attempts).toBeLessThanOrEqual(11);
      });
      expect(tookMs).toBeLessThan(1500);
    });

    it('has a probe waiting on a frozen server all the time when the period is the connect budget, so a thaw closes it at once', async () => {
      const tookMs = await outageThenBack({ connectTimeoutMs: 500, queryTimeoutMs: 2000, breakerOpenMs: 500 }, 'silent', async () => {
        await new Promise((r) => setTimeout(r, 1300));
        // Each probe waits out the connect budget and the next starts a period after the last began
        // (at 0.5 and 1 s, 1.5 s next), not a period after it gave up (0.5 s, then 1.5 s).
        expect(attempts).toBeGreaterThanOrEqual(2);
        expect(attempts).toBeLessThanOrEqual(3);
      });
      // The probe in flight gets its answer: far less than a period (the old schedule waited one more).
      expect(tookMs).toBeLessThan(400);
    });
  });

  describe('Redis rate limiter', () => {
    it('counts in Redis and reports when to retry', async () => {
      const redis = createRedisClient(testInfra.redisUrl, 200);
      await new Promise((resolve) => redis.once('ready', resolve));
      const limiter = new RedisRateLimiter(redis, new MetricsRegistry({ defaultMetrics: false }), () => undefined);
      const key = `test:${randomUUID()}`;
      const decisions = [];
      for (let i = 0; i < 4; i++) decisions.push(await limiter.consume(key, 3, 60));
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
      expect(decisions[3]!.retryAfterSeconds).toBeGreaterThan(55);
      redis.disconnect();
    });

    it('runs its script by SHA-1, sending the source again only to a Redis that does not hold it', async () => {
      // A Redis of its own: SCRIPT FLUSH empties a whole server's script cache.
      const spare = await SpareRedis.start();
      const redis = createRedisClient(spare.url, 500);
      try {
        await new Promise((resolve) => redis.once('ready', resolve));
        const calls = async () => {
          const stats = (await redis.info('commandstats')) as string;
          const count = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
          return { eval: count('eval'), evalsha: count('evalsha') };
        };
        const limiter = new RedisRateLimiter(redis, new MetricsRegistry({ defaultMetrics: false }), () => undefined);
        for (let i = 0; i < 3; i++) await limiter.consume('sha', 10, 60);
        // The first EVALSHA is refused (NOSCRIPT) and EVAL loads it; the next two go by SHA alone.
        expect(await calls()).toEqual({ eval: 1, evalsha: 3 });
        await redis.script('FLUSH');
        expect((await limiter.consume('sha', 10, 60)).allowed).toBe(true);
        expect(await calls()).toEqual({ eval: 2, evalsha: 4 });
        // Errors other than NOSCRIPT are not retried as EVAL.
        await expect(new LuaScript('return redis.call("INCR", KEYS[1], "extra")').run(redis, 1, 'k')).rejects.toThrow(/Wrong number of args/);
        expect((await calls()).eval).toBe(3);
        await expect(new LuaScript('return redis.call("INCR", KEYS[1], "extra")').run(redis, 1, 'k')).rejects.toThrow(/Wrong number of args/);
        expect((await calls()).eval).toBe(3);
      } finally {
        redis.disconnect();
        await spare.kill();
      }
    });

    it('fails open at once when its Redis is dead: the command is refused by the client, not queued for a reconnect', async () => {
      const spare = await SpareRedis.start();
      const redis = createRedisClient(spare.url, 50);
      redis.on('error', () => undefined);
      await new Promise((resolve) => redis.once('ready', resolve));
      await spare.kill();
      const metrics = new MetricsRegistry({ defaultMetrics: false });
      const warnings: string[] = [];
      const limiter = new RedisRateLimiter(redis, metrics, (m) => warnings.push(m));
      const decision = await limiter.consume('dead', 1, 60);
      expect(decision.allowed).toBe(true);
      // No offline queue: refused while disconnected, or cut by the command timeout if the drop was not
      // noticed yet; never held for ioredis' reconnect retries (~10 s with its defaults).
      expect(warnings[0]).toMatch(/fails open, Redis did not answer: (Stream isn't writeable and enableOfflineQueue|Connection is closed|Command timed out)/);
      expect(await metrics.render().then((r) => r.body)).toMatch(/graph_rate_limiter_fail_open_total 1/);
      redis.disconnect();
    });
  });

  describe('Kafka', () => {
    it('round-trips a message through the project publisher to a consumer', async () => {
      const kafka = new Kafka({ clientId: 'infra-test', brokers: testInfra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
      const topic = `test.roundtrip.${randomUUID()}`;
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await admin.disconnect();

      const received: { key: string; value: string }[] = [];
      const consumer = kafka.consumer({ groupId: `infra-test-${randomUUID()}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: message.key!.toString(), value: message.value!.toString() });
        },
      });

      const publisher = new KafkaEventPublisher(kafka);
      await publisher.publish([
        { topic, key: '1', value: '{"n":1}' },
        { topic, key: '1', value: '{"n":2}' },
        { topic, key: '2', value: '{"n":3}' },
      ]);
      const deadline = Date.now() + 20000;
      while (received.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await publisher.disconnect();
      await consumer.disconnect();
      expect(received.filter((m) => m.key === '1').map((m) => m.value)).toEqual(['{"n":1}', '{"n":2}']);
      expect(received).toHaveLength(3);
    });
  });
});

