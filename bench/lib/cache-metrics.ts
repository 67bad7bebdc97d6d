import { HttpClient } from './http-client';

export type CacheCounters = Map<string, { hits: number; misses: number }>;

/** Cache counters per family from /metrics; a lookup served from Postgres because the cache was unavailable counts as a miss. */
export async function cacheCounters(client: HttpClient): Promise<CacheCounters> {
  const text = (await client.ok('GET', '/metrics')).body;
  const out: CacheCounters = new Map();
  for (const m of text.matchAll(/^graph_cache_(hits|misses|bypass)_total\{family="([a-z]+)"\} (\d+(?:\.\d+)?)/gm)) {
    const entry = out.get(m[2]!) ?? { hits: 0, misses: 0 };
    entry[m[1] === 'hits' ? 'hits' : 'misses'] += Number(m[3]);
    out.set(m[2]!, entry);
  }
  return out;
}

/** Hits / lookups between two readings, over every family (NaN when there was no lookup). */
export function hitRateBetween(before: CacheCounters, after: CacheCounters): number {
  let hits = 0;
  let total = 0;
  for (const [family, a] of after) {
    const b = before.get(family) ?? { hits: 0, misses: 0 };
    hits += a.hits - b.hits;
    total += a.hits - b.hits + a.misses - b.misses;
  }
  return total ? hits / total : Number.NaN;
}

/** Per family with lookups between two readings, most lookups first: `relationship 2 % of 9,410, …`. */
export function hitRatesByFamily(before: CacheCounters, after: CacheCounters): string {
  const rows: [string, number, number][] = [];
  for (const [family, a] of after) {
    const b = before.get(family) ?? { hits: 0, misses: 0 };
    const hits = a.hits - b.hits;
    const total = hits + a.misses - b.misses;
    if (total > 0) rows.push([family, hits, total]);
  }
  return rows
    .sort((x, y) => y[2] - x[2])
    .map(([family, hits, total]) => `${family} ${((100 * hits) / total).toFixed(0)} % of ${total.toLocaleString('en-US')}`)
    .join(', ');
}

/** Events and batches the service's outbox relay had acknowledged by Kafka so far, from /metrics. */
export async function relayCounters(client: HttpClient): Promise<{ events: number; batches: number }> {
  const text = (await client.ok('GET', '/metrics')).body;
  const read = (name: string) => Number(new RegExp(`^${name} (\\d+(?:\\.\\d+)?)`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { events: read('graph_outbox_events_published_total'), batches: read('graph_outbox_batches_published_total') };
}
