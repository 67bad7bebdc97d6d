import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/spare-services';
import { ServiceProcess, httpGet, httpRequest } from '../support/service-process';
import { TEST_JWT_SECRET, tokenFor } from '../support/test-app';

/**
 * The no-configuration default (embedded PostgreSQL) after a crash, and with its port taken.
 * Each case has its own EMBEDDED_PG_DIR and a spare EMBEDDED_PG_PORT.
 */
const embedded = (dir: string, pgPort: number): Record<string, string | undefined> => ({
  DATABASE_URL: undefined,
  REDIS_URL: undefined,
  KAFKA_BROKERS: undefined,
  EMBEDDED_PG_DIR: dir,
  EMBEDDED_PG_PORT: String(pgPort),
  JWT_SECRET: TEST_JWT_SECRET,
  SHUTDOWN_DRAIN_MS: '0',
});

function postmasterPid(dir: string): number | null {
  const file = join(dir, 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the embedded PostgreSQL default', () => {
  const dirs: string[] = [];
  const services: ServiceProcess[] = [];
  let holder: Server | null = null;

  afterAll(async () => {
    for (const s of services) await s.stop();
    holder?.close();
    for (const dir of dirs) {
      // Only the postmasters of this test's own folders.
      const pid = postmasterPid(dir);
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  function folder(): string {
    const dir = mkdtempSync(join(tmpdir(), 'graph-embedded-'));
    dirs.push(dir);
    // The folder itself: as root, the server runs as a postgres user that cannot enter a root-only parent.
    return dir;
  }

  it('survives a kill -9: the leftover server is stopped and the data is there after the restart', async () => {
    const dir = folder();
    const pgPort = await freePort();
    const first = ServiceProcess.start(await freePort(), embedded(dir, pgPort));
    services.push(first);
    await first.waitReady(120000);
    const auth = { Authorization: `Bearer ${tokenFor(7001)}` };
    const follow = (await httpRequest('POST', first.port, '/api/v1/graph/follow/7002', auth)).status;
    expect(follow).toBe(200);

    first.signal('SIGKILL');
    await first.exited;
    const leftover = postmasterPid(dir);
    expect(leftover).not.toBeNull();
    expect(alive(leftover!)).toBe(true);

    const second = ServiceProcess.start(first.port, embedded(dir, pgPort));
    services.push(second);
    await second.waitReady(120000);
    expect(second.output).toContain(`left running by an earlier run (pid ${leftover}`);
    expect(alive(leftover!)).toBe(false);
    const stats = await httpGet(second.port, '/api/v1/graph/stats/7002', auth);
    expect(JSON.parse(stats.body)).toMatchObject({ follower_count: 1 });

    // A clean stop takes its server with it.
    const running = postmasterPid(dir)!;
    second.signal('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(alive(running)).toBe(false);
  }, 300000);

  it('names the port and the variable to set when another process holds the port', async () => {
    const pgPort = await freePort();
    holder = createServer(() => undefined);
    await new Promise<void>((resolve) => holder!.listen(pgPort, '127.0.0.1', resolve));
    const service = ServiceProcess.start(await freePort(), embedded(folder(), pgPort));
    services.push(service);
    expect(await service.exited).not.toBe(0);
    expect(service.output).toContain(`127.0.0.1:${pgPort}`);
    expect(service.output).toContain('EMBEDDED_PG_PORT');
    expect(service.output).not.toMatch(/failed to start: undefined/);
  }, 120000);
});
