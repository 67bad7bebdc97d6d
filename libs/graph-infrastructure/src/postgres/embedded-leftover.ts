import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Why the embedded PostgreSQL cannot start, in words that say what to change. */
export class EmbeddedPostgresStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresStartError';
  }
}

interface Postmaster {
  pid: number;
  port: string;
}

/** The server named by `dataDir/postmaster.pid`, when that process still runs as postgres. */
export function livePostmaster(dataDir: string): Postmaster | null {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  // Lines: pid, data directory, start time, port, socket directory, listen address, shmem key, status.
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return null;
  const cmdline = readProc(pid, 'cmdline');
  // Without /proc (not Linux) trust the pid file; with it, a reused pid is not a postgres.
  if (cmdline !== null && !cmdline.includes('postgres')) return null;
  return { pid, port: lines[3]?.trim() ?? '?' };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/** Whether the postmaster's parent is a node process still running (another instance using it). */
function ownedByLiveNode(pid: number): number | null {
  const stat = readProc(pid, 'stat');
  if (stat === null) return null;
  // Field 4 of /proc/<pid>/stat, after the parenthesised command name.
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  if (!ppid || ppid === 1) return null;
  return (readProc(ppid, 'cmdline') ?? '').split('\0')[0]!.endsWith('node') ? ppid : null;
}

/**
 * A service killed with SIGKILL (or a crash of node) leaves its embedded postmaster running with
 * the data folder locked, and the next start would fail. Such a leftover, whose parent process is
 * gone, is stopped here (fast shutdown: its sessions end, its data is checkpointed). One that a
 * running service still uses is left alone and reported.
 */
export async function stopLeftoverPostmaster(dataDir: string, envDir: string, log: (m: string) => void): Promise<void> {
  const leftover = livePostmaster(dataDir);
  if (!leftover) return;
  const owner = ownedByLiveNode(leftover.pid);
  if (owner !== null) {
    throw new EmbeddedPostgresStartError(
      `the embedded PostgreSQL in ${dataDir} (pid ${leftover.pid}, port ${leftover.port}) belongs to another running process (pid ${owner}); ` +
        `stop that one, or set ${envDir} to another folder`,
    );
  }
  log(`embedded postgres: a server left running by an earlier run (pid ${leftover.pid}, port ${leftover.port}) holds ${dataDir}; stopping it`);
  process.kill(leftover.pid, 'SIGINT');
  for (let waited = 0; alive(leftover.pid); waited += 100) {
    if (waited >= 30000) throw new EmbeddedPostgresStartError(`the leftover embedded PostgreSQL (pid ${leftover.pid}) did not stop within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Fails with the port and the variable to set when something else listens on `port`. */
export async function ensurePortFree(port: number, envPort: string): Promise<void> {
  const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(null)));
  });
  if (error) {
    throw new EmbeddedPostgresStartError(
      `the embedded PostgreSQL cannot listen on 127.0.0.1:${port}: ${error.code === 'EADDRINUSE' ? 'another process uses that port' : error.message}. ` +
        `Set ${envPort} to a free port, or DATABASE_URL to use a PostgreSQL of your own`,
    );
  }
}
