import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { DataSource } from 'typeorm';
import { ImportMethod, ImportResult } from '@graph/domain';
import { copyFromStdin, createDataSource, openEdgeListFile } from '@graph/infrastructure';
import { EdgeListParser } from '@graph/infrastructure/import/edge-list-parser';
import { PostgresEdgeImporter } from '@graph/infrastructure/import/postgres-edge-importer';
import { OutboxWakeup } from '@graph/infrastructure/postgres/outbox';
import { recreateDatabase } from '../../test/support/throwaway-database';
import { BenchContext } from '../context';

/** Where wiki-Vote.txt.gz is (BENCH_DATASETS_DIR; default: the datasets folder next to the checkout). */
const DATASETS_DIR = process.env.BENCH_DATASETS_DIR ?? resolve(__dirname, '../../../shared/datasets');
/** Synthetic edges to import (BENCH_IMPORT_EDGES; 10 M by default, smaller for a quick run). */
const SYNTHETIC_EDGES = Number(process.env.BENCH_IMPORT_EDGES ?? 10_000_000);
/** BENCH_IMPORT_MERGE=1 also times the merge method on the synthetic list (into empty tables). */
const ALSO_MERGE = process.env.BENCH_IMPORT_MERGE === '1';
const ROOT = resolve(__dirname, '../..');

/**
 * Issue 11's import figures, in a database of their own (BENCH_DATABASE_URL + "_import", recreated)
 * so the tables start empty as for a first load: wiki-Vote through the CLI end to end (compiled,
 * node start included) against 3 s, through the importer in-process, and its re-run (the merge, all
 * duplicates); a synthetic list against 200,000 edges/s and against the floor: the same rows COPYed
 * into a table without indexes, then the same indexes built, the least Postgres can do for them.
 */
export async function importScenario(ctx: BenchContext): Promise<void> {
  const url = new URL(ctx.databaseUrl);
  url.pathname = `${url.pathname}_import`;
  await recreateDatabase(url.toString(), /bench/);
  const db = createDataSource(url.toString(), 2, 600000);
  await db.initialize();
  try {
    await wikiVote(ctx, db, url.toString());
    await synthetic(ctx, db);
  } finally {
    await db.destroy();
  }
}

async function empty(db: DataSource): Promise<void> {
  await db.query(`TRUNCATE follows, user_graph_stats`);
  await db.query(`CHECKPOINT`); // the previous load's dirty pages are not this one's to write
}

function phases(result: ImportResult): string {
  return Object.entries(result.phasesMs ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

async function importFile(db: DataSource, path: string, method: ImportMethod): Promise<{ result: ImportResult; seconds: number }> {
  const file = await openEdgeListFile(path);
  const started = process.hrtime.bigint();
  const result = await new PostgresEdgeImporter(db, new OutboxWakeup()).importEdges(file.source, { emitEvents: false, totalBytes: file.totalBytes, method });
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function wikiVote(ctx: BenchContext, db: DataSource, databaseUrl: string): Promise<void> {
  const path = resolve(DATASETS_DIR, 'wiki-Vote.txt.gz');
  await empty(db);
  const cli = join(ROOT, 'dist/apps/graph-service/src/cli/import-edges.js');
  if (existsSync(cli)) {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--v8-pool-size=1', cli, path], { env: { ...process.env, ...ctx.serviceEnv({ DATABASE_URL: databaseUrl }) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (code !== 0) throw new Error(`import CLI exited ${code}: ${out}`);
    process.stdout.write(`  cli: ${out}`);
    ctx.record({ scenario: 'import', metric: 'wiki-Vote via the CLI, empty database (node start included)', value: seconds, unit: 's', limit: 3, ratio: seconds / 3, target: '≤ 3 s', pass: seconds <= 3 });
  }
  await empty(db);
  const first = await importFile(db, path, 'auto');
  ctx.record({
    scenario: 'import',
    metric: `wiki-Vote via the importer (${first.result.loaded} edges, ${first.result.method}; ms: ${phases(first.result)})`,
    value: first.seconds,
    unit: 's',
    limit: 3,
    ratio: first.seconds / 3,
    target: '≤ 3 s',
    pass: first.seconds <= 3,
  });
  const rerun = await importFile(db, path, 'auto');
  ctx.record({ scenario: 'import', metric: `wiki-Vote re-run (${rerun.result.method}: ${rerun.result.loaded} loaded, ${rerun.result.duplicates} duplicates; ms: ${phases(rerun.result)})`, value: rerun.seconds, unit: 's' });
}

/** Ten followings per user, to users spread over the whole id range (deterministic, no self-loops), as a file. */
async function writeSynthetic(ctx: BenchContext, path: string): Promise<void> {
  const ids = ctx.freshIds(Math.max(2, Math.ceil(SYNTHETIC_EDGES / 10)));
  const out = createWriteStream(path);
  const lines: string[] = [];
  for (let i = 0; i < SYNTHETIC_EDGES; i++) {
    const from = Math.floor(i / 10);
    const to = (from + 1 + ((i * 7919) % (ids.length - 1))) % ids.length;
    lines.push(`${ids[from]} ${ids[to]}`);
    if (lines.length === 50_000 && !out.write(lines.splice(0).join('\n') + '\n')) await once(out, 'drain');
  }
  out.end(lines.length > 0 ? lines.join('\n') + '\n' : '');
  await once(out, 'finish');
}

/** The floor: the parsed rows COPYed into a table like follows without indexes, then follows' indexes built on it. */
async function floor(db: DataSource, path: string): Promise<number> {
  const parser = new EdgeListParser();
  const rows: Buffer[] = [];
  for await (const b of parser.rows((await openEdgeListFile(path)).source)) rows.push(b);
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`DROP TABLE IF EXISTS import_floor`);
    await runner.query(`CHECKPOINT`);
    const started = process.hrtime.bigint();
    await runner.startTransaction();
    await runner.query(`SET LOCAL statement_timeout = 0`);
    await runner.query(`SET LOCAL maintenance_work_mem = '512MB'`);
    await runner.query(`CREATE TABLE import_floor (LIKE follows INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await runner.query(`ALTER TABLE import_floor ALTER COLUMN status SET DEFAULT 'accepted'`);
    const copied = await copyFromStdin(runner, `COPY import_floor (follower_id, following_id) FROM STDIN`, rows);
    await runner.query(`ALTER TABLE import_floor ADD PRIMARY KEY (follower_id, following_id)`);
    const indexes = (await runner.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'follows' AND indexname <> 'follows_pkey'`)) as { indexname: string; indexdef: string }[];
    for (const i of indexes) await runner.query(i.indexdef.replace(i.indexname, `floor_${i.indexname}`).replace(/ ON public\.follows /, ' ON public.import_floor '));
    await runner.commitTransaction();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await runner.query(`DROP TABLE import_floor`);
    return copied / seconds;
  } finally {
    await runner.release();
  }
}

async function synthetic(ctx: BenchContext, db: DataSource): Promise<void> {
  const path = join(tmpdir(), `graph-bench-import-${process.pid}.txt`);
  try {
    await writeSynthetic(ctx, path);
    const n = SYNTHETIC_EDGES.toLocaleString('en');
    await empty(db);
    const floorRate = await floor(db, path);
    ctx.record({ scenario: 'import', metric: `floor: ${n} rows COPYed into an index-less table, then its indexes built`, value: Math.round(floorRate), unit: 'edges/s' });
    await empty(db);
    const { result, seconds } = await importFile(db, path, 'auto');
    const rate = result.loaded / seconds;
    ctx.record({ scenario: 'import', metric: `${n} synthetic edges (${result.method}; ms: ${phases(result)})`, value: Math.round(rate), unit: 'edges/s', limit: 200_000, ratio: rate / 200_000, target: '≥ 200,000 edges/s', pass: rate >= 200_000 });
    ctx.record({ scenario: 'import', metric: `${n} synthetic edges, importer / floor`, value: rate / floorRate, unit: '×', limit: 1, ratio: rate / floorRate });
    if (ALSO_MERGE) {
      await empty(db);
      const merge = await importFile(db, path, 'merge');
      const mergeRate = merge.result.loaded / merge.seconds;
      ctx.record({ scenario: 'import', metric: `${n} synthetic edges by the merge (ms: ${phases(merge.result)})`, value: Math.round(mergeRate), unit: 'edges/s', limit: floorRate, ratio: mergeRate / floorRate });
    }
  } finally {
    if (existsSync(path)) unlinkSync(path);
  }
}
