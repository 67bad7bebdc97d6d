import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSource, openEdgeListFile } from '@graph/infrastructure';
import { PostgresEdgeImporter } from '@graph/infrastructure/import/postgres-edge-importer';
import { OutboxWakeup } from '@graph/infrastructure/postgres/outbox';
import { BenchContext } from '../context';

/** Where wiki-Vote.txt.gz is (BENCH_DATASETS_DIR; default: the datasets folder next to the checkout). */
const DATASETS_DIR = process.env.BENCH_DATASETS_DIR ?? resolve(__dirname, '../../../shared/datasets');
/** Synthetic edges to import (BENCH_IMPORT_EDGES; 10 M by default, smaller for a quick run). */
const SYNTHETIC_EDGES = Number(process.env.BENCH_IMPORT_EDGES ?? 10_000_000);

/**
 * Issue 11's import figures, through the importer the CLI and the admin job use (COPY, one merge,
 * counter deltas): wiki-Vote end to end against 3 s, and a synthetic list against 200,000 edges/s.
 * Imported edges stay in the bench database (fresh ids, so other scenarios are unaffected).
 */
export async function importScenario(ctx: BenchContext): Promise<void> {
  const db = createDataSource(ctx.databaseUrl, 2, 600000);
  await db.initialize();
  try {
    await wikiVote(ctx, db);
    await synthetic(ctx, db);
  } finally {
    await db.destroy();
  }
}

async function wikiVote(ctx: BenchContext, db: DataSource): Promise<void> {
  // wiki-Vote's ids (1 … 8,297) sit below the generated graph's (from 1,000,001): a clean load.
  await db.query(`DELETE FROM follows WHERE follower_id < 1000000 AND following_id < 1000000`);
  await db.query(`DELETE FROM user_graph_stats WHERE user_id < 1000000`);
  const file = await openEdgeListFile(resolve(DATASETS_DIR, 'wiki-Vote.txt.gz'));
  const started = Date.now();
  const outcome = await new PostgresEdgeImporter(db, new OutboxWakeup()).importEdges(file.source, { emitEvents: false, totalBytes: file.totalBytes });
  const seconds = (Date.now() - started) / 1000;
  ctx.record({ scenario: 'import', metric: `wiki-Vote end to end (${outcome.loaded} edges)`, value: seconds, unit: 's', limit: 3, ratio: seconds / 3, target: '≤ 3 s', pass: seconds <= 3 });
}

async function synthetic(ctx: BenchContext, db: DataSource): Promise<void> {
  const ids = ctx.freshIds(Math.max(2, Math.ceil(SYNTHETIC_EDGES / 10)));
  async function* edges(): AsyncGenerator<Buffer> {
    // Ten followings per user, to users spread over the whole id range (deterministic, no self-loops).
    const lines: string[] = [];
    for (let i = 0; i < SYNTHETIC_EDGES; i++) {
      const from = Math.floor(i / 10);
      const to = (from + 1 + ((i * 7919) % (ids.length - 1))) % ids.length;
      lines.push(`${ids[from]} ${ids[to]}`);
      if (lines.length === 50_000) yield Buffer.from(lines.splice(0).join('\n') + '\n');
    }
    if (lines.length > 0) yield Buffer.from(lines.join('\n') + '\n');
  }
  const started = Date.now();
  const outcome = await new PostgresEdgeImporter(db, new OutboxWakeup()).importEdges(edges(), { emitEvents: false });
  const rate = outcome.loaded / ((Date.now() - started) / 1000);
  ctx.record({ scenario: 'import', metric: `${SYNTHETIC_EDGES.toLocaleString('en')} synthetic edges`, value: Math.round(rate), unit: 'edges/s', limit: 200_000, ratio: rate / 200_000, target: '≥ 200,000 edges/s', pass: rate >= 200_000 });
}
