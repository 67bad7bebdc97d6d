import { Injectable } from '@nestjs/common';
import { MuteRepository, UserId } from '@graph/domain';

export interface UnmuteUserInput {
  muterId: UserId;
  mutedId: UserId;
}

/** Ends a mute; a repeat (or an account never muted) changes nothing. */
@Injectable()
export class UnmuteUserUseCase {
  constructor(private readonly mutes: MuteRepository) {}

  async execute(input: UnmuteUserInput): Promise<{ changed: boolean }> {
    return this.mutes.unmute(input.muterId, input.mutedId);
  }
}
