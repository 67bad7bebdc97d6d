import { Injectable } from '@nestjs/common';
import { GraphReadRepository, UserId, UserSettings } from '@graph/domain';

export interface GetSettingsInput {
  userId: UserId;
}

/** The caller's graph settings (an account never configured is public). */
@Injectable()
export class GetSettingsUseCase {
  constructor(private readonly graph: GraphReadRepository) {}

  async execute(input: GetSettingsInput): Promise<UserSettings> {
    return this.graph.getSettings(input.userId);
  }
}
