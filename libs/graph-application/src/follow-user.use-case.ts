import { Injectable } from '@nestjs/common';
import { FollowOutcome, GraphWriteRepository, RateLimitedError, RateLimiter, SelfFollowError, UserId } from '@graph/domain';
import { GraphPolicy } from './graph-policy';

export interface FollowUserInput {
  followerId: UserId;
  followingId: UserId;
}

/**
 * Follows an account, or sends a request when it is private. Every valid call counts against the
 * caller's follow rate limit (repeats too: the limit is on calls, as docs/api.md says).
 */
@Injectable()
export class FollowUserUseCase {
  constructor(
    private readonly graph: GraphWriteRepository,
    private readonly rateLimiter: RateLimiter,
    private readonly policy: GraphPolicy,
  ) {}

  async execute(input: FollowUserInput): Promise<FollowOutcome> {
    if (input.followerId === input.followingId) throw new SelfFollowError();
    const { limit, windowSeconds } = this.policy.followRateLimit;
    const decision = await this.rateLimiter.consume(`follow:${input.followerId}`, limit, windowSeconds);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
    return this.graph.follow(input.followerId, input.followingId);
  }
}
