import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PAIR_LOCK_KEY } from './typeorm-graph-write.repository';

/**
 * The SQL must stay shardable by follower_id (docs/scaling.md, "What the SQL avoids"). Checked in
 * the source, statement by statement, over every Postgres adapter and the migrations' functions:
 *  - no now() (or another clock) inside ON CONFLICT ... DO UPDATE, nor inside CASE;
 *  - no locking read (FOR UPDATE / FOR SHARE) unless it pins one row set by its table's shard key
 *    with no OR;
 *  - an advisory lock only in a statement of its own (touching no table).
 * The outbox relay is left out on purpose: it runs once per shard, so each of its statements is.
 */
const ROOT = join(__dirname, '../../../..');
// The Postgres adapters and the bulk importer (its merge runs on the same sharded tables).
const SOURCES = [
  ...[__dirname, join(__dirname, '../import')].flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.includes('spec'))
      .map((f) => join(dir, f)),
  ),
  ...readdirSync(join(ROOT, 'migrations'))
    .filter((f) => /^\d+-.*\.ts$/.test(f))
    .map((f) => join(ROOT, 'migrations', f)),
];
const SHARD_KEY: Record<string, string> = { follows: 'follower_id', user_settings: 'user_id', blocks: 'blocker_id', user_graph_stats: 'user_id', outbox_events: 'message_key', mutes: 'muter_id', recommendation_dismissals: 'user_id' };
const CLOCK = /\b(now|clock_timestamp|statement_timestamp|transaction_timestamp)\s*\(\s*\)|\bcurrent_timestamp\b|\blocaltimestamp\b/i;

/** Every SQL statement in a source file: template literals, split at semicolons (function bodies hold several). */
function statements(file: string): { file: string; sql: string }[] {
  const text = readFileSync(file, 'utf8');
  const out: { file: string; sql: string }[] = [];
  for (const m of text.matchAll(/`([^`]*)`/g)) {
    for (const sql of m[1]!.split(';')) if (/\b(SELECT|INSERT|UPDATE|DELETE|PERFORM)\b/i.test(sql)) out.push({ file: file.slice(ROOT.length + 1), sql: sql.replace(/\s+/g, ' ').trim() });
  }
  return out;
}

/** The text of the CASE ... END expressions in `sql`, nesting included. */
function caseExpressions(sql: string): string[] {
  const out: string[] = [];
  const words = [...sql.matchAll(/\b(CASE|END)\b/gi)];
  for (let i = 0; i < words.length; i++) {
    if (words[i]![1]!.toUpperCase() !== 'CASE') continue;
    let depth = 0;
    for (let j = i; j < words.length; j++) {
      depth += words[j]![1]!.toUpperCase() === 'CASE' ? 1 : -1;
      if (depth === 0) {
        out.push(sql.slice(words[i]!.index, words[j]!.index! + 3));
        break;
      }
    }
  }
  return out;
}

export function violations(all: { file: string; sql: string }[]): string[] {
  const found: string[] = [];
  for (const { file, sql } of all) {
    const upsert = /ON CONFLICT[^]*?DO UPDATE([^]*)$/i.exec(sql);
    if (upsert && CLOCK.test(upsert[1]!.split(/\bRETURNING\b/i)[0]!)) found.push(`${file}: clock inside ON CONFLICT DO UPDATE: ${sql}`);
    for (const expression of caseExpressions(sql)) if (CLOCK.test(expression)) found.push(`${file}: clock inside CASE: ${sql}`);
    if (/\bFOR (UPDATE|SHARE|NO KEY UPDATE|KEY SHARE)\b/i.test(sql)) {
      const table = /\bFROM\s+(\w+)/i.exec(sql)?.[1] ?? '';
      const key = SHARD_KEY[table];
      if (!key || !new RegExp(`\\b${key}\\s*=`, 'i').test(sql) || /\bOR\b/i.test(sql)) found.push(`${file}: locking read not pinned to one shard: ${sql}`);
    }
    if (/pg_advisory_xact_lock|\$\{\w*_LOCK\}/.test(sql) && /\b(FROM|JOIN)\b/i.test(sql)) found.push(`${file}: advisory lock in a statement that reads tables: ${sql}`);
  }
  return found;
}

describe('SQL shardable by follower_id', () => {
  const all = SOURCES.flatMap(statements);

  it('finds the statements it checks (the adapters and the write functions)', () => {
    expect(all.some((s) => /graph_follow\(/.test(s.sql) && s.file.includes('typeorm-graph-write'))).toBe(true);
    expect(all.some((s) => /INSERT INTO follows/i.test(s.sql) && s.file.startsWith('migrations/'))).toBe(true);
  });

  it('has no clock in ON CONFLICT DO UPDATE or CASE, no multi-shard locking read, no advisory lock beside a table read', () => {
    expect(violations(all)).toEqual([]);
  });

  it('flags each of those patterns (the shipped ones before this check)', () => {
    const bad = [
      `INSERT INTO follows (a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET created_at = now() WHERE follows.status = 'rejected' RETURNING 1`,
      `UPDATE follows SET created_at = CASE WHEN $3::varchar = 'accepted' THEN now() ELSE created_at END WHERE follower_id = $1`,
      `SELECT 1 FROM follows WHERE following_id = $1 AND status = 'pending' ORDER BY follower_id FOR UPDATE`,
      `SELECT 1 FROM follows WHERE (follower_id = $1 AND following_id = $2) OR (follower_id = $2 AND following_id = $1) FOR UPDATE`,
      `SELECT pg_advisory_xact_lock(1) AS locked, COALESCE((SELECT is_private FROM user_settings WHERE user_id = $2), false) AS is_private`,
    ].map((sql) => ({ file: 'example', sql }));
    expect(violations(bad)).toHaveLength(bad.length);
    const good = [
      `INSERT INTO follows (a, created_at) VALUES ($1, v_at) ON CONFLICT (a) DO UPDATE SET created_at = EXCLUDED.created_at`,
      `SELECT is_private FROM user_settings WHERE user_id = $1 FOR SHARE`,
      `PERFORM pg_advisory_xact_lock(hashtextextended(least(p_follower, p_following)::text, 0))`,
    ].map((sql) => ({ file: 'example', sql }));
    expect(violations(good)).toEqual([]);
  });

  it('takes the pair lock in graph_follow on the same key as block', () => {
    const migration = all.filter((s) => s.file.startsWith('migrations/')).map((s) => s.sql).join('\n');
    expect(migration).toContain(`pg_advisory_xact_lock(${PAIR_LOCK_KEY.replace(/\$1::bigint/g, 'p_follower').replace(/\$2::bigint/g, 'p_following')})`);
  });
});
