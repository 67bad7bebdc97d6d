import { UserId } from '../model/user-id';

/** Where an import is: bytes of the source read so far, and lines seen. */
export interface ImportProgress {
  phase: 'reading' | 'merging' | 'done';
  bytesRead: number;
  /** Size of the source when known (a file), for a percentage and an ETA. */
  totalBytes: number | null;
  lines: number;
  edges: number;
}

export interface ImportOutcome {
  /** Non-comment, non-blank lines read. */
  lines: number;
  /** Edges that were new and are now accepted follows. */
  loaded: number;
  /** Edges already present (in the graph or earlier in the file). */
  duplicates: number;
  /** Lines "A A", skipped. */
  selfLoops: number;
  /** Edges skipped because a block exists between the two users. */
  blocked: number;
  /** Distinct users whose counters changed. */
  affectedUsers: number;
  /** Follow events written to the outbox (0 unless asked for). */
  events: number;
  elapsedMs: number;
  /** Which load ran: the merge, or the initial load into empty tables (see ImportMethod). */
  method?: 'merge' | 'initial-load';
  /** Milliseconds per phase (e.g. copy, merge, index, counters), for the bench and the CLI summary. */
  phasesMs?: Record<string, number>;
}

/**
 * How to load: `merge` (COPY into a temporary table, one INSERT … ON CONFLICT DO NOTHING, counter
 * deltas) works on any database; `initial-load` takes exclusive locks on empty follows and
 * user_graph_stats, loads them with their indexes dropped and rebuilds indexes and counters set-based
 * (as pg_restore does), and fails if the tables are not empty or the locks are not granted within
 * 2 s; `auto` (the default) is initial-load when it can be, merge otherwise.
 */
export type ImportMethod = 'auto' | 'merge' | 'initial-load';

/** The importer's answer: the outcome, and whose cache entries to drop (null: too many to list, drop all). */
export type ImportResult = ImportOutcome & { affectedUserIds: UserId[] | null };

export interface ImportOptions {
  /** Emit a graph.follow event per loaded edge (off by default: a bulk load is not news). */
  emitEvents: boolean;
  /** Default `auto`. */
  method?: ImportMethod;
  totalBytes?: number | null;
  /** How far through the source, in the unit of totalBytes (a gzip file's compressed bytes); default: bytes parsed. */
  position?: () => number;
  onProgress?: (progress: ImportProgress) => void;
}

/**
 * Bulk load of an edge list: "A B" per line means A follows B (space or tab separated, `#` starts a
 * comment line). All or nothing: a bad line fails the import with its line number
 * (INVALID_EDGE_LIST) and leaves nothing of it behind. Re-running the same list changes nothing.
 * Counters of the affected users are updated in the same transaction; their cache entries dropped.
 */
export abstract class EdgeImporter {
  abstract importEdges(source: AsyncIterable<Buffer>, options: ImportOptions): Promise<ImportResult>;
}
