import { Injectable } from '@nestjs/common';
import { GRAPH_LIMITS, GraphReadRepository, UserId } from '@graph/domain';
import { assertAtMost } from './read-limits';

export interface BlockExistsInput {
  /** Up to 100 pairs of arbitrary users (neither needs to be the caller). */
  pairs: Array<readonly [UserId, UserId]>;
}

/**
 * Whether a block stands between each of up to 100 pairs, either way: what a service showing a
 * reply thread between two other users must know. For internal services only.
 */
@Injectable()
export class BlockExistsUseCase {
  constructor(private readonly graph: GraphReadRepository) {}

  async execute(input: BlockExistsInput): Promise<boolean[]> {
    assertAtMost(input.pairs, GRAPH_LIMITS.blockExistsPairs, 'pairs');
    return this.graph.blockExists(input.pairs);
  }
}
