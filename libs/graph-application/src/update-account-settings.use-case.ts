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
 * Checked whole before anything is written; the privacy goes through setPrivacy (going public
 * accepts the pending requests, with their events), the policies through updateAccountPolicies.
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
    if (input.isPrivate !== undefined) await this.writes.setPrivacy(input.userId, input.isPrivate);
    if (Object.keys(policies).length > 0) await this.writes.updateAccountPolicies(input.userId, policies);
    return this.reads.getSettings(input.userId);
  }
}
