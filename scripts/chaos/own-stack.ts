import { ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { freePort, SpareKafka, SparePostgres, SpareRedis } from '../../test/support/spare-services';

const ROOT = join(__dirname, '../..');

/** `--name value` from the command line. */
export function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

export const log = (m: string): void => void process.stdout.write(`${m}\n`);

/**
 * PostgreSQL, Redis and Kafka of the run's own, on spare ports (`basePort`, +1, +2 and +3 for the
 * broker's controller; random free ports without one), never the machine's shared servers.
 */
export class OwnStack {
  private constructor(
    readonly pg: SparePostgres,
    readonly redis: SpareRedis,
    readonly kafka: SpareKafka,
  ) {}

  static async start(basePort: number | null): Promise<OwnStack> {
    const port = async (offset: number) => (basePort ? basePort + offset : freePort());
    const [pg, redis] = await Promise.all([SparePostgres.start(await port(0)), SpareRedis.start(await port(1))]);
    const kafka = await SpareKafka.start(basePort ? basePort + 2 : undefined);
    return new OwnStack(pg, redis, kafka);
  }

  get databaseUrl(): string {
    return this.pg.url;
  }

  get redisUrl(): string {
    return this.redis.url;
  }

  get brokers(): string {
    return this.kafka.brokers;
  }

  async dispose(): Promise<void> {
    for (const thaw of [() => this.pg.thaw(), () => this.redis.thaw(), () => this.kafka.thaw()]) {
      try {
        thaw();
      } catch {
        // Not running: nothing to resume.
      }
    }
    await this.redis.kill().catch(() => undefined);
    await this.kafka.dispose().catch(() => undefined); // already gone
    await this.pg.dispose().catch(() => undefined);
  }
}

/**
 * The service from source (run through @swc-node/register, no build step) as a child process, on
 * `port`, with `env`. SIGKILL and SIGSTOP it; start() again after a kill.
 */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  stderr = '';

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(readiness: 'live' | 'ready' = 'ready'): Promise<void> {
    this.stderr = '';
    const child = spawn(process.execPath, ['--v8-pool-size=1', '-r', '@swc-node/register', join(ROOT, 'apps/graph-service/src/main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-20000)));
    this.child = child;
    const deadline = Date.now() + 90000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${this.name} exited (${child.exitCode}): ${this.stderr.slice(-2000)}`);
      const res = await httpCall(this.url, 'GET', `/health/${readiness}`, { timeoutMs: 2000 }).catch(() => null);
      if (res?.status === 200) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ${readiness} after 90 s: ${res?.body ?? this.stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  signal(signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): void {
    this.child?.kill(signal);
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15000).unref();
    });
  }
}

export interface CallResult {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One HTTP call with a deadline: rejects with `timeout` past `timeoutMs` (the socket is destroyed). */
export function httpCall(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: string | Buffer; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CallResult> {
  const url = new URL(base);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path,
        method,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.body !== undefined ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers, ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
