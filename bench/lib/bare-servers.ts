import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitForPort } from '../../test/support/spare-services';
import { serviceNodeFlags } from './node-flags';
import { benchPort } from './ports';

const ROOT = join(__dirname, '../..');

export interface BareServer {
  url: string;
  pid: number;
  stop(): void;
}

async function start(script: string, env: Record<string, string>): Promise<BareServer> {
  const port = await benchPort();
  const child: ChildProcess = spawn(process.execPath, [...serviceNodeFlags(), '-r', '@swc-node/register', join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  await waitForPort(port, 60000);
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => void child.kill('SIGTERM') };
}

/** A bare NestJS app on `adapter` whose GET /bare answers the bytes under `key` from one Redis GET. */
export function startBareNestRoute(redisUrl: string, adapter: string, key: string): Promise<BareServer> {
  return start('bench/lib/bare-redis-route.ts', { REDIS_URL: redisUrl, HTTP_ADAPTER: adapter, BARE_KEY: key });
}

/** A bare Node `http` server answering GET /x with the bytes under `<prefix>/x` from one Redis GET. */
export function startBareNodeServer(redisUrl: string, prefix: string): Promise<BareServer> {
  return start('bench/lib/bare-node-server.ts', { REDIS_URL: redisUrl, BARE_KEY: prefix });
}
