import { Injectable } from '@nestjs/common';
import { MAX_MUTE_DURATION_SECONDS, MUTE_SCOPES, MuteRepository, MuteScope, MuteSettings, SelfMuteError, UserId, ValidationError } from '@graph/domain';

export interface MuteUserInput {
  muterId: UserId;
  mutedId: UserId;
  /** Hide the account's notifications too (default true). */
  notifications?: boolean;
  /** Seconds until the mute ends by itself; 0 or absent: forever; at most a year. */
  durationSeconds?: number;
  /** `all` (default) or `reposts`. */
  scope?: MuteScope;
}

export interface MuteUserResult {
  changed: boolean;
  settings: MuteSettings;
}

/** Mutes an account, privately; a repeat replaces the settings. Follows and counts stay as they are. */
@Injectable()
export class MuteUserUseCase {
  constructor(private readonly mutes: MuteRepository) {}

  async execute(input: MuteUserInput): Promise<MuteUserResult> {
    if (input.muterId === input.mutedId) throw new SelfMuteError();
    const duration = input.durationSeconds ?? 0;
    if (!Number.isInteger(duration) || duration < 0 || duration > MAX_MUTE_DURATION_SECONDS) {
      throw new ValidationError(`duration must be a whole number of seconds from 0 (forever) to ${MAX_MUTE_DURATION_SECONDS} (a year)`, 'duration');
    }
    const scope = input.scope ?? 'all';
    if (!MUTE_SCOPES.includes(scope)) throw new ValidationError(`scope must be one of ${MUTE_SCOPES.join(', ')}`, 'scope');
    const settings: MuteSettings = {
      notifications: input.notifications ?? true,
      scope,
      expiresAt: duration === 0 ? null : new Date(Date.now() + duration * 1000),
    };
    const { changed } = await this.mutes.mute(input.muterId, input.mutedId, settings);
    return { changed, settings };
  }
}
