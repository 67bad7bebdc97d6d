import { Injectable } from '@nestjs/common';
import { GraphWriteRepository, PrivacyOutcome, UserId } from '@graph/domain';

export interface UpdateSettingsInput {
  userId: UserId;
  isPrivate: boolean;
}

/**
 * Sets the account's privacy. Going public accepts every pending request in the same transaction.
 * Also driven by user.privacy_changed events and the admin API.
 */
@Injectable()
export class UpdateSettingsUseCase {
  constructor(private readonly graph: GraphWriteRepository) {}

  async execute(input: UpdateSettingsInput): Promise<PrivacyOutcome> {
    return this.graph.setPrivacy(input.userId, input.isPrivate);
  }
}
