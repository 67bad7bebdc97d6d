import { ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

export interface LogLine {
  at: number;
  text: string;
  json: { level?: string; context?: string; msg?: string } | null;
}

/**
 * The service as `npm start` runs it, in a process of its own (main.ts compiled on the fly by
 * @swc-node/register, so no build is needed): for what only a real process shows, such as signals,
 * kill -9, its log and its exit code.
 */
export class ServiceProcess {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly port: number,
    env: Record<string, string | undefined>,
  ) {
    this.child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/graph-service/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString()).split('\n');
        rest = parts.pop()!;
        for (const text of parts) this.push(text);
      });
      stream.on('end', () => rest && this.push(rest));
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  static start(port: number, env: Record<string, string | undefined>): ServiceProcess {
    return new ServiceProcess(port, env);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get output(): string {
    return this.lines.map((l) => l.text).join('\n');
  }

  /** Resolves with the first line matching `pattern` (already seen or to come). */
  async waitForLine(pattern: RegExp, timeoutMs = 60000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((l) => pattern.test(l.text));
      if (line) return line;
      if (this.child.exitCode !== null) throw new Error(`service exited (${this.child.exitCode}) before ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no line ${pattern} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until GET /health/ready answers 200. */
  async waitReady(timeoutMs = 60000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await httpGet(this.port, '/health/ready').catch(() => null))?.status !== 200) {
      if (this.child.exitCode !== null) throw new Error(`service exited (${this.child.exitCode}):\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Ends the process if it still runs (SIGKILL), and waits for it. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  private push(text: string): void {
    let json: LogLine['json'];
    try {
      json = JSON.parse(text) as LogLine['json'];
    } catch {
      json = null;
    }
    this.lines.push({ at: Date.now(), text, json });
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** One GET without keep-alive: the status and body, or a rejection with the socket error (code). */
export function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return httpRequest('GET', port, path, headers);
}

/** One request without keep-alive and without a body. */
export function httpRequest(method: string, port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false, timeout: 10000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
