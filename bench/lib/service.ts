import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { HttpClient } from './http-client';
import { serviceNodeFlags } from './node-flags';

export interface RunningService {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '../..');

/**
 * Starts the built service (dist/, `npm run bench` builds first) as a child process with `env` and
 * the node flags of `npm start` (plus BENCH_NODE_FLAGS), and resolves once /health/ready answers 200.
 */
export async function startService(env: Record<string, string>, port: number): Promise<RunningService> {
  const child: ChildProcess = spawn(process.execPath, [...serviceNodeFlags(), ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), join(ROOT, 'dist/apps/graph-service/src/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', process.env.BENCH_ECHO ? 'inherit' : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); if (process.env.BENCH_ECHO) process.stderr.write(d); });
  const url = `http://127.0.0.1:${port}`;
  const client = new HttpClient(url, 4);
  const deadline = Date.now() + 60000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`service exited (${child.exitCode}): ${stderr.slice(-2000)}`);
      const ready = await client.call('GET', '/health/ready').catch(() => null);
      if (ready?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`service not ready after 60 s: ${ready?.body ?? stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.close();
  }
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15000).unref();
      }),
  };
}
