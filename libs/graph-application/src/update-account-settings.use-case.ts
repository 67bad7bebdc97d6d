import { Injectable } from '@nestjs/common';
import {
  AccountPoliciesPatch,
  GraphReadRepository,
  GraphWriteRepository,
  UserId,
  UserSettings,
  ValidationError,
  assertAccountPoliciesPatch,
} from '@graph/domain';

export interface UpdateAccountSettingsInput {
  userId: UserId;
  isPrivate?: boolean;
  policies: AccountPoliciesPatch;
}

/**
 * PATCH /settings: any of the privacy and the account policies (docs/api.md "Account policies").
 * Checked whole before anything is written, then written in one transaction (updateSettings):
 * going public accepts the pending requests, with their events, together with the policies.
 */
@Injectable()
export class UpdateAccountSettingsUseCase {
  constructor(
    private readonly writes: GraphWriteRepository,
    private readonly reads: GraphReadRepository,
  ) {}

  async execute(input: UpdateAccountSettingsInput): Promise<UserSettings> {
    const policies = Object.fromEntries(Object.entries(input.policies).filter(([, v]) => v !== undefined)) as AccountPoliciesPatch;
    if (input.isPrivate === undefined && Object.keys(policies).length === 0) throw new ValidationError('the body must give at least one setting to change', 'body');
    assertAccountPoliciesPatch(policies);
    await this.writes.updateSettings(input.userId, { isPrivate: input.isPrivate, policies });
    return this.reads.getSettings(input.userId);
  }
}
