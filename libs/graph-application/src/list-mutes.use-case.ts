import { Injectable } from '@nestjs/common';
import { CursorCodec, GRAPH_LIMITS, Mute, MuteRepository, UserId } from '@graph/domain';
import { pageLimit } from './read-limits';

export interface ListMutesInput {
  muterId: UserId;
  cursor?: string | null;
  limit?: number;
  /** `page` (REST: default 20, at most 100) or `ids` (request-reply: default 1000, at most 5000). */
  size?: 'page' | 'ids';
}

export interface MutesPage {
  items: Mute[];
  nextCursor: string | null;
}

/** The caller's active mutes, newest first, in keyset pages (an expired mute is not listed). */
@Injectable()
export class ListMutesUseCase {
  constructor(
    private readonly mutes: MuteRepository,
    private readonly cursors: CursorCodec,
  ) {}

  async execute(input: ListMutesInput): Promise<MutesPage> {
    const limit =
      input.size === 'ids'
        ? pageLimit(input.limit, GRAPH_LIMITS.idsPageDefault, GRAPH_LIMITS.idsPageMax)
        : pageLimit(input.limit, GRAPH_LIMITS.pageDefault, GRAPH_LIMITS.pageMax);
    const key = `mutes:${input.muterId}`;
    const after = input.cursor ? this.cursors.decode(input.cursor, key) : null;
    const slice = await this.mutes.listMutes(input.muterId, { limit, after });
    return { items: slice.items, nextCursor: slice.next ? this.cursors.encode(slice.next, key) : null };
  }
}
