import { Injectable } from '@nestjs/common';
import ISO6391 from 'iso-639-1';
import {
  DEFAULT_FOLLOW_OPTIONS,
  FollowOptionsPatch,
  FollowOutcome,
  GraphWriteRepository,
  RateLimitedError,
  RateLimiter,
  SelfFollowError,
  UserId,
  ValidationError,
  isEmptyFollowOptionsPatch,
  withFollowOptions,
} from '@graph/domain';
import { GraphPolicy } from './graph-policy';

export interface FollowUserInput {
  followerId: UserId;
  followingId: UserId;
  /** Options given with the call; omitted ones keep their value (a new follow: the defaults). */
  options?: FollowOptionsPatch;
}

export interface FollowUserResult extends FollowOutcome {
  /** True when a repeat changed the options of the existing follow or request (a follow_updated event). */
  optionsUpdated: boolean;
}

/**
 * Languages as ISO 639-1 codes (case-insensitive), each once, sorted so that the same set is the
 * same value; an empty list means every language (null).
 */
function normalizeLanguages(languages: string[] | null | undefined): string[] | null | undefined {
  if (languages === undefined || languages === null) return languages;
  if (!Array.isArray(languages)) throw new ValidationError('languages must be a list of ISO 639-1 codes or null', 'languages');
  const codes = new Set<string>();
  languages.forEach((raw, i) => {
    const code = typeof raw === 'string' ? raw.toLowerCase() : '';
    if (!ISO6391.validate(code)) throw new ValidationError(`languages[${i}] must be an ISO 639-1 code such as "en"`, `languages[${i}]`);
    codes.add(code);
  });
  return codes.size === 0 ? null : [...codes].sort();
}

/**
 * Follows an account, or sends a request when it is private. Every valid call counts against the
 * caller's follow rate limit (repeats too: the limit is on calls, as docs/api.md says). Options go on
 * the edge the call makes; on a repeat they update the existing follow or request instead (no new
 * follow event, a follow_updated event when they change). A new follow or request past the
 * following cap is FOLLOW_LIMIT_REACHED.
 */
@Injectable()
export class FollowUserUseCase {
  constructor(
    private readonly graph: GraphWriteRepository,
    private readonly rateLimiter: RateLimiter,
    private readonly policy: GraphPolicy,
  ) {}

  async execute(input: FollowUserInput): Promise<FollowUserResult> {
    if (input.followerId === input.followingId) throw new SelfFollowError();
    const patch: FollowOptionsPatch = { ...input.options, languages: normalizeLanguages(input.options?.languages) };
    if (patch.languages === undefined) delete patch.languages;
    const { limit, windowSeconds } = this.policy.followRateLimit;
    // The count runs alongside the write's preparation; the write itself waits for it (see follow).
    const admission = this.rateLimiter.consume(`follow:${input.followerId}`, limit, windowSeconds).then((decision) => {
      if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);
    });
    admission.catch(() => undefined); // handled: the repository awaits it and throws its refusal
    const outcome = await this.graph.follow(input.followerId, input.followingId, withFollowOptions(DEFAULT_FOLLOW_OPTIONS, patch), this.policy.followingCap, admission);
    if (outcome.changed || isEmptyFollowOptionsPatch(patch)) return { ...outcome, optionsUpdated: false };
    const { updated } = await this.graph.updateFollowOptions(input.followerId, input.followingId, patch);
    return { ...outcome, optionsUpdated: updated };
  }
}
