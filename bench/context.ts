import jwt from 'jsonwebtoken';
import { GeneratedGraph } from './lib/graph-generator';
import { LoadResult } from './lib/load';
import { TableRow, formatTable } from './lib/report';
import { RunningService } from './lib/service';

/** One line of the final report: a measured figure next to its limit or target. */
export interface BenchRow {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  /** The same work without the service (SQL straight through pg), or a bare baseline. */
  limit?: number;
  /** value / limit (or the ratio the target is stated in). */
  ratio?: number;
  /** The target as the issue states it, e.g. "≥ 0.80" or "≤ 20 ms". */
  target?: string;
  pass?: boolean;
}

export interface BenchOptions {
  users: number;
  concurrency: number;
  durationMs: number;
  adapter: 'express' | 'fastify';
  /** The adapters the reads, writes and mix scenarios run on, each in turn. */
  adapters: ('express' | 'fastify')[];
  deepFollowers: number;
  /** Share of writes in the LinkBench-derived mix (0.10–0.30). */
  mixWrites: number;
  /** Fixed arrival rate of the mix's open-loop run; 0: 70 % of the closed loop's throughput. */
  mixRate: number;
  /** Distinct signed-in users issuing the mix's calls. */
  activeUsers: number;
}

export const BENCH_JWT_SECRET = 'bench-secret-0123456789abcdef';

/** What every scenario gets: the components, the generated graph, and ways to start and report. */
export class BenchContext {
  readonly rows: BenchRow[] = [];
  readonly loads: LoadResult[] = [];
  /** The one table `npm run bench` prints at the end. */
  readonly table: TableRow[] = [];
  /** Limits measured earlier in the run (e.g. the bare Node server's req/s), by name. */
  readonly limits = new Map<string, number>();
  private nextId: bigint;

  constructor(
    readonly options: BenchOptions,
    readonly databaseUrl: string,
    readonly redisUrl: string,
    readonly kafkaBrokers: string,
    readonly graph: GeneratedGraph,
    private readonly launch: (env: Record<string, string>) => Promise<RunningService>,
  ) {
    this.nextId = graph.nextFreeId;
  }

  /** The service's environment for the bench (rate limit out of the way, bench secret). */
  serviceEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisUrl,
      KAFKA_BROKERS: this.kafkaBrokers,
      JWT_SECRET: BENCH_JWT_SECRET,
      CURSOR_SECRET: 'bench-cursor-secret',
      HTTP_ADAPTER: this.options.adapter,
      FOLLOW_RATE_LIMIT: '1000000000',
      DATABASE_POOL_SIZE: '16',
      MIGRATIONS_RUN: 'false',
      // On a machine loaded well beyond its cores, 50 ms Redis timeouts open the cache breaker and
      // the figures measure Postgres instead; BENCH_REDIS_COMMAND_TIMEOUT_MS raises it (say so).
      ...(process.env.BENCH_REDIS_COMMAND_TIMEOUT_MS ? { REDIS_COMMAND_TIMEOUT_MS: process.env.BENCH_REDIS_COMMAND_TIMEOUT_MS } : {}),
      // Settings to try, as `NAME=value NAME=value` (OUTBOX_LINGER_MS=20, say).
      ...Object.fromEntries((process.env.BENCH_SERVICE_ENV ?? '').split(/\s+/).filter((pair) => pair.includes('=')).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])),
      ...extra,
    };
  }

  startService(extra: Record<string, string> = {}): Promise<RunningService> {
    return this.launch(this.serviceEnv(extra));
  }

  /** Adds a line to the final table and prints it at once. */
  tableRow(row: TableRow): void {
    this.table.push(row);
    process.stdout.write(`${formatTable([row]).split('\n')[2]}\n`);
  }

  token(userId: string): string {
    return jwt.sign({ sub: userId, roles: ['admin'] }, BENCH_JWT_SECRET, { algorithm: 'HS256', expiresIn: 3600 });
  }

  /** `n` user ids nobody has used yet in this run. */
  freshIds(n: number): string[] {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((this.nextId++).toString());
    return ids;
  }

  record(row: BenchRow): void {
    this.rows.push(row);
    const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
    const extra = [
      row.limit !== undefined ? `limit ${fmt(row.limit)}` : '',
      row.ratio !== undefined ? `ratio ${row.ratio.toFixed(3)}` : '',
      row.target ? `target ${row.target}` : '',
      row.pass === undefined ? '' : row.pass ? 'PASS' : 'FAIL',
    ].filter(Boolean);
    process.stdout.write(`  ${row.scenario} | ${row.metric}: ${fmt(row.value)} ${row.unit}${extra.length ? ' (' + extra.join(', ') + ')' : ''}\n`);
  }

  /** Prints a load result line (ops/s and latency percentiles) and keeps it for the JSON report. */
  load(result: LoadResult): LoadResult {
    this.loads.push(result);
    const l = result.latency;
    process.stdout.write(
      `  ${result.name}: ${result.opsPerSec.toFixed(0)} ops/s, p50 ${l.p50.toFixed(2)} ms, p95 ${l.p95.toFixed(2)} ms, ` +
        `p99 ${l.p99.toFixed(2)} ms (${result.ops} ops, c=${result.concurrency}${result.errors ? `, ${result.errors} errors: ${result.firstError}` : ''})\n`,
    );
    return result;
  }
}

export type Scenario = (ctx: BenchContext) => Promise<void>;
