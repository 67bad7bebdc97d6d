import { Injectable } from '@nestjs/common';
import { GraphWriteRepository, SelfDismissError, UserId } from '@graph/domain';

export interface DismissRecommendationInput {
  userId: UserId;
  dismissedId: UserId;
}

/** "Not interested": the account is never suggested to the caller again. A repeat changes nothing. */
@Injectable()
export class DismissRecommendationUseCase {
  constructor(private readonly graph: GraphWriteRepository) {}

  async execute(input: DismissRecommendationInput): Promise<{ changed: boolean }> {
    if (input.userId === input.dismissedId) throw new SelfDismissError();
    return this.graph.dismissRecommendation(input.userId, input.dismissedId);
  }
}
