import { LoadResult } from './load';

/** One line of the printed table: a load's figures next to the limit it is judged against. */
export interface TableRow {
  scenario: string;
  name: string;
  opsPerSec?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  errors?: number;
  /** Cache hits / lookups during the load (0..1). */
  hitRate?: number;
  /** What the figure is compared with, e.g. "bare Node http" (its value in `limit`). */
  limitName?: string;
  limit?: number;
  ratio?: number;
  target?: string;
  pass?: boolean;
  /** Anything else worth a column: round trips, CPU per call, bytes. */
  note?: string;
}

export function rowOf(scenario: string, load: LoadResult, extra: Partial<TableRow> = {}): TableRow {
  return { scenario, name: load.name, opsPerSec: load.opsPerSec, p50: load.latency.p50, p95: load.latency.p95, p99: load.latency.p99, errors: load.errors, ...extra };
}

const num = (v: number | undefined, digits = 0): string => (v === undefined || !Number.isFinite(v) ? '' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** The table as aligned text columns. */
export function formatTable(rows: TableRow[]): string {
  const header = ['scenario', 'load', 'ops/s', 'p50 ms', 'p95 ms', 'p99 ms', 'err', 'hit %', 'limit', 'ratio', 'target', '', 'note'];
  const lines = rows.map((r) => [
    r.scenario,
    r.name,
    num(r.opsPerSec),
    num(r.p50, 2),
    num(r.p95, 2),
    num(r.p99, 2),
    r.errors === undefined ? '' : String(r.errors),
    r.hitRate === undefined ? '' : num(100 * r.hitRate, 2),
    r.limitName ? `${r.limitName}${r.limit !== undefined ? ` ${num(r.limit, r.limit < 100 ? 2 : 0)}` : ''}` : '',
    r.ratio === undefined ? '' : r.ratio.toFixed(3),
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS',
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i >= 2 && i <= 9 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)].join('\n');
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A bar chart of every row that has a ratio to its limit (one bar each, the target's threshold as a
 * tick when it is a ratio), as a standalone SVG document.
 */
export function ratioChartSvg(rows: TableRow[], title: string): string {
  const bars = rows.filter((r) => r.ratio !== undefined && Number.isFinite(r.ratio));
  const labelWidth = 520;
  const plotWidth = 420;
  const rowHeight = 22;
  const top = 40;
  const max = Math.max(1.2, ...bars.map((b) => b.ratio!));
  const x = (v: number) => labelWidth + (Math.min(v, max) / max) * plotWidth;
  const height = top + bars.length * rowHeight + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 80}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escape(title)}</text>`,
    `<line x1="${x(1)}" y1="${top - 6}" x2="${x(1)}" y2="${height - 24}" stroke="#999" stroke-dasharray="4 3"/>`,
    `<text x="${x(1) - 8}" y="${height - 10}" fill="#666">1.0</text>`,
  ];
  bars.forEach((b, i) => {
    const y = top + i * rowHeight;
    const threshold = /([\d.]+)/.exec(b.target ?? '')?.[1];
    const colour = b.pass === undefined ? '#7a9cc6' : b.pass ? '#4c9a5b' : '#c8553d';
    parts.push(`<text x="10" y="${y + 14}">${escape(`${b.scenario}: ${b.name}`.slice(0, 80))}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y + 3}" width="${x(b.ratio!) - labelWidth}" height="${rowHeight - 8}" fill="${colour}"/>`);
    parts.push(`<text x="${x(b.ratio!) + 4}" y="${y + 14}">${b.ratio!.toFixed(2)}</text>`);
    if (threshold && b.target?.includes('≥') && Number(threshold) <= max) {
      parts.push(`<line x1="${x(Number(threshold))}" y1="${y + 1}" x2="${x(Number(threshold))}" y2="${y + rowHeight - 3}" stroke="black" stroke-width="2"/>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}
