import { ExportedList, ExportedRow } from '@graph/application';

/**
 * Mastodon's CSV layouts (its settings → export), ids in place of account addresses
 * (docs/api.md "Export"). Mastodon writes no header for blocks; it has no followers export, so
 * followers.csv takes the blocks layout. Lines end in CRLF (RFC 4180).
 */
export const EXPORT_HEADERS: Record<ExportedList, string | null> = {
  following: 'Account address,Show boosts,Notify on new posts,Languages',
  followers: null,
  blocks: null,
  mutes: 'Account address,Hide notifications',
};

/** A field quoted when it holds a comma or a quote (only the languages field can). */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvLine(row: ExportedRow): string {
  switch (row.list) {
    case 'following':
      return [row.userId, String(row.options.reposts), String(row.options.notify), field((row.options.languages ?? []).join(', '))].join(',') + '\r\n';
    case 'mutes':
      return `${row.userId},${row.notifications}\r\n`;
    default:
      return `${row.userId}\r\n`;
  }
}

/** The whole file, page by page: the header (when the layout has one), then one line per row. */
export async function* csvChunks(list: ExportedList, pages: AsyncIterable<ExportedRow[]>): AsyncGenerator<string> {
  const header = EXPORT_HEADERS[list];
  if (header !== null) yield `${header}\r\n`;
  for await (const rows of pages) if (rows.length > 0) yield rows.map(csvLine).join('');
}
