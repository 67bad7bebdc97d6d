import { Injectable } from '@nestjs/common';
import { FollowOptions, GRAPH_LIMITS, GraphReadRepository, KeysetPosition, MuteRepository, UserId } from '@graph/domain';

export type ExportedList = 'following' | 'followers' | 'blocks' | 'mutes';

/** One exported account, with what its list's file carries about it. */
export type ExportedRow =
  | { list: 'following'; userId: UserId; options: FollowOptions }
  | { list: 'followers' | 'blocks'; userId: UserId }
  | { list: 'mutes'; userId: UserId; notifications: boolean };

export interface ExportOwnGraphInput {
  userId: UserId;
  list: ExportedList;
}

/**
 * The caller's own lists, whole, for a CSV download (docs/api.md "Export"): yields keyset pages of
 * GRAPH_LIMITS.idsPageMax rows, newest first, so memory stays one page whatever the list's length
 * and every page costs what the first costs. Accepted follows only; active mutes only.
 */
@Injectable()
export class ExportOwnGraphUseCase {
  constructor(
    private readonly graph: GraphReadRepository,
    private readonly mutes: MuteRepository,
  ) {}

  async *execute(input: ExportOwnGraphInput): AsyncGenerator<ExportedRow[]> {
    const page = (after: KeysetPosition | null) => ({ limit: GRAPH_LIMITS.idsPageMax, after });
    let after: KeysetPosition | null = null;
    do {
      switch (input.list) {
        case 'following': {
          const slice = await this.graph.listEdgeDetails({ kind: 'following', userId: input.userId }, page(after), { since: null, until: null });
          yield slice.items.map((e) => ({ list: 'following' as const, userId: e.userId, options: e.options }));
          after = slice.next;
          break;
        }
        case 'followers':
        case 'blocks': {
          const list = input.list;
          const slice = await this.graph.listEdges({ kind: list, userId: input.userId }, page(after));
          yield slice.items.map((e) => ({ list, userId: e.userId }));
          after = slice.next;
          break;
        }
        case 'mutes': {
          const slice = await this.mutes.listMutes(input.userId, page(after));
          yield slice.items.map((m) => ({ list: 'mutes' as const, userId: m.mutedId, notifications: m.notifications }));
          after = slice.next;
          break;
        }
      }
    } while (after !== null);
  }
}
