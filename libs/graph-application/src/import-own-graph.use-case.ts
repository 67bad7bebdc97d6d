import { Injectable } from '@nestjs/common';
import {
  GRAPH_LIMITS,
  GraphError,
  GraphReadRepository,
  KeysetPosition,
  MuteRepository,
  PageQuery,
  UserId,
  ValidationError,
  parseUserId,
} from '@graph/domain';
import { BackgroundJobs, JobView } from './admin/background-jobs';
import { BlockUserUseCase } from './block-user.use-case';
import { FollowUserUseCase } from './follow-user.use-case';
import { MuteUserUseCase } from './mute-user.use-case';
import { UnblockUserUseCase } from './unblock-user.use-case';
import { UnfollowUserUseCase } from './unfollow-user.use-case';
import { UnmuteUserUseCase } from './unmute-user.use-case';

export type ImportedList = 'following' | 'blocks' | 'mutes';
export const IMPORTED_LISTS: readonly ImportedList[] = ['following', 'blocks', 'mutes'];
/** `merge`: add what the file lists; `overwrite`: also remove what it does not list. */
export type ImportMode = 'merge' | 'overwrite';
export const IMPORT_MODES: readonly ImportMode[] = ['merge', 'overwrite'];
export const IMPORT_MAX_ROWS = 20_000;
/** Per-row failures kept in the outcome (the count is exact past it). */
const KEPT_FAILURES = 1000;

/** One data row of the file: its 1-based line number and its fields (the header already dropped). */
export interface ImportRow {
  line: number;
  fields: string[];
}

export interface ImportOwnGraphInput {
  userId: UserId;
  list: ImportedList;
  mode: ImportMode;
  rows: ImportRow[];
}

export interface ImportProgress extends Record<string, unknown> {
  total: number;
  processed: number;
}

export interface ImportRowFailure {
  line: number;
  code: string;
  message: string;
}

export interface OwnGraphImportOutcome {
  /** Rows that changed something (a new follow, request, block or mute; new follow or mute settings). */
  applied: number;
  /** Rows that found the state already as listed. */
  unchanged: number;
  failed: number;
  /** With `overwrite`: entries the file did not list, removed. */
  removed: number;
  /** The first 1000 failures, in line order. */
  failures: ImportRowFailure[];
}

/** One job kind per user: a job is found only by its owner (BackgroundJobs.get checks the kind). */
export const ownGraphImportJobKind = (userId: UserId): string => `graph-import:${userId}`;

function bool(value: string | undefined, field: string, fallback: boolean): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ValidationError(`${field} must be true or false`, field);
}

/**
 * Import of the caller's own following, blocks or mutes (docs/api.md "Import"), as a job of this
 * instance: each row goes through the same use case as the REST write (rate limit, following cap,
 * self and block rules included), so a refused row is a per-row failure with its code and the rest go on.
 */
@Injectable()
export class ImportOwnGraphUseCase {
  constructor(
    private readonly jobs: BackgroundJobs,
    private readonly graph: GraphReadRepository,
    private readonly mutes: MuteRepository,
    private readonly follow: FollowUserUseCase,
    private readonly unfollow: UnfollowUserUseCase,
    private readonly block: BlockUserUseCase,
    private readonly unblock: UnblockUserUseCase,
    private readonly mute: MuteUserUseCase,
    private readonly unmute: UnmuteUserUseCase,
  ) {}

  execute(input: ImportOwnGraphInput): JobView<ImportProgress, OwnGraphImportOutcome> {
    if (!IMPORTED_LISTS.includes(input.list)) throw new ValidationError(`type must be one of ${IMPORTED_LISTS.join(', ')}`, 'type');
    if (!IMPORT_MODES.includes(input.mode)) throw new ValidationError(`mode must be one of ${IMPORT_MODES.join(', ')}`, 'mode');
    if (input.rows.length > IMPORT_MAX_ROWS) throw new ValidationError(`an import holds at most ${IMPORT_MAX_ROWS} rows (got ${input.rows.length})`, 'body');
    return this.jobs.start(ownGraphImportJobKind(input.userId), { total: input.rows.length, processed: 0 }, (report) => this.run(input, report));
  }

  private async run(input: ImportOwnGraphInput, report: (p: ImportProgress) => void): Promise<OwnGraphImportOutcome> {
    const outcome: OwnGraphImportOutcome = { applied: 0, unchanged: 0, failed: 0, removed: 0, failures: [] };
    const targets = input.rows.map((row) => {
      try {
        return parseUserId((row.fields[0] ?? '').trim(), 'Account address');
      } catch (error) {
        if (error instanceof GraphError) return error;
        throw error;
      }
    });
    if (input.mode === 'overwrite') {
      // Removals first: the following cap then counts what the file keeps, not what it replaces
      // (an account at its cap can swap its whole list in one import).
      const listed = new Set(targets.filter((t): t is UserId => !(t instanceof GraphError)));
      for (const id of await this.currentIds(input.userId, input.list)) {
        if (!listed.has(id) && (await this.remove(input.userId, input.list, id))) outcome.removed++;
      }
    }
    for (const [i, row] of input.rows.entries()) {
      try {
        const targetId = targets[i]!;
        if (targetId instanceof GraphError) throw targetId;
        if (await this.apply(input.userId, input.list, targetId, row.fields)) outcome.applied++;
        else outcome.unchanged++;
      } catch (error) {
        if (!(error instanceof GraphError)) throw error;
        outcome.failed++;
        if (outcome.failures.length < KEPT_FAILURES) outcome.failures.push({ line: row.line, code: error.code, message: error.message });
      }
      report({ total: input.rows.length, processed: i + 1 });
    }
    return outcome;
  }

  private async apply(userId: UserId, list: ImportedList, targetId: UserId, fields: string[]): Promise<boolean> {
    switch (list) {
      case 'following': {
        const languages = (fields[3] ?? '').split(',').map((l) => l.trim()).filter((l) => l !== '');
        const options = {
          reposts: bool(fields[1], 'Show boosts', true),
          notify: bool(fields[2], 'Notify on new posts', false),
          languages: languages.length === 0 ? null : languages, // checked and normalised by the follow use case
        };
        const r = await this.follow.execute({ followerId: userId, followingId: targetId, options });
        return r.changed || r.optionsUpdated;
      }
      case 'blocks':
        return (await this.block.execute({ blockerId: userId, blockedId: targetId })).changed;
      case 'mutes':
        return (await this.mute.execute({ muterId: userId, mutedId: targetId, notifications: bool(fields[1], 'Hide notifications', true) })).changed;
    }
  }

  private async remove(userId: UserId, list: ImportedList, targetId: UserId): Promise<boolean> {
    try {
      switch (list) {
        case 'following':
          return (await this.unfollow.execute({ followerId: userId, followingId: targetId })).removed !== null;
        case 'blocks':
          return (await this.unblock.execute({ blockerId: userId, blockedId: targetId })).changed;
        case 'mutes':
          return (await this.unmute.execute({ muterId: userId, mutedId: targetId })).changed;
      }
    } catch (error) {
      if (error instanceof GraphError) return false;
      throw error;
    }
  }

  /** Every id of the list now, in keyset pages (accepted follows; active mutes). */
  private async currentIds(userId: UserId, list: ImportedList): Promise<UserId[]> {
    const ids: UserId[] = [];
    let after: KeysetPosition | null = null;
    do {
      const page: PageQuery = { limit: GRAPH_LIMITS.idsPageMax, after };
      const slice: { ids: UserId[]; next: KeysetPosition | null } =
        list === 'mutes'
          ? await this.mutes.listMutes(userId, page).then((s) => ({ ids: s.items.map((m) => m.mutedId), next: s.next }))
          : await this.graph.listEdges({ kind: list, userId }, page).then((s) => ({ ids: s.items.map((e) => e.userId), next: s.next }));
      ids.push(...slice.ids);
      after = slice.next;
    } while (after !== null);
    return ids;
  }
}
