import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LoadResult } from './load';
import { IdRange } from './write-load';

const run = promisify(execFile);

/** What one wrk run measured, with the CPU wrk itself used (read from /proc/self/stat in its `done`). */
export interface WrkResult extends LoadResult {
  generatorCpuSeconds: number;
}

let available: Promise<boolean> | undefined;

/** Whether wrk is installed (Debian's package; `apt-get install wrk`). */
export function wrkAvailable(): Promise<boolean> {
  available ??= run('wrk', ['-v']).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
  return available;
}

/**
 * Follow + unfollow over HTTP driven by wrk (one thread, as many connections as clients), as the
 * issue measured: a load generator in C costs the machine a fraction of Node's HTTP client (107–183
 * µs per write there), and on two shared cores that CPU is taken from the service. Same pattern as
 * followUnfollow (write-load.ts): call i takes writer i mod n, who unfollows whom they follow, else
 * follows a user drawn from [from, to]; every call changes the graph.
 */
export async function runWrkFollowUnfollow(options: {
  name: string;
  baseUrl: string;
  concurrency: number;
  durationMs: number;
  tokens: string[];
  targets: IdRange;
}): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  const script = join(dir, 'follow-unfollow.lua');
  writeFileSync(script, followUnfollowScript(options.tokens, options.targets));
  try {
    const duration = Math.max(1, Math.round(options.durationMs / 1000));
    const { stdout } = await run(
      'wrk',
      ['-t1', `-c${options.concurrency}`, `-d${duration}s`, '--timeout', '10s', '-s', script, new URL('/api/v1/graph', options.baseUrl).toString()],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('WRK_RESULT '));
    if (!line) throw new Error(`wrk printed no result: ${stdout.slice(0, 500)}`);
    const r = JSON.parse(line.slice('WRK_RESULT '.length)) as Record<string, number>;
    const ms = (us: number) => us / 1000;
    const errors = r.errors!;
    const answered = r.requests! - r.statusErrors!;
    const seconds = r.durationUs! / 1e6;
    return {
      name: options.name,
      concurrency: options.concurrency,
      ops: answered,
      errors,
      ...(errors > 0 ? { firstError: `${r.statusErrors} non-2xx answers, ${errors - r.statusErrors!} socket errors or timeouts` } : {}),
      seconds,
      opsPerSec: answered / seconds,
      latency: { count: r.requests!, p50: ms(r.p50!), p95: ms(r.p95!), p99: ms(r.p99!), max: ms(r.max!), mean: ms(r.mean!) },
      generatorCpuSeconds: r.cpuTicks! / 100,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function followUnfollowScript(tokens: string[], targets: IdRange): string {
  return `
local tokens = {${tokens.map((t) => `"${t}"`).join(',')}}
local from, to = ${targets.from}, ${targets.to}
local following = {}
local n = 0
math.randomseed(os.time())

request = function()
  local w = n % #tokens + 1
  n = n + 1
  local headers = { ["Authorization"] = "Bearer " .. tokens[w] }
  local followed = following[w]
  if followed then
    following[w] = nil
    return wrk.format("DELETE", "/api/v1/graph/follow/" .. followed, headers)
  end
  local target = math.random(from, to)
  following[w] = target
  return wrk.format("POST", "/api/v1/graph/follow/" .. target, headers)
end

done = function(summary, latency, requests)
  -- utime + stime of this process, in clock ticks: the load generator's share of the machine
  local f = io.open("/proc/self/stat")
  local stat = f:read("*a")
  f:close()
  local fields = {}
  for x in stat:sub(stat:find(") ", 1, true) + 2):gmatch("%S+") do fields[#fields + 1] = x end
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests":%d,"durationUs":%d,"errors":%d,"statusErrors":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,"mean":%d,"cpuTicks":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    tonumber(fields[12]) + tonumber(fields[13])))
end
`;
}
