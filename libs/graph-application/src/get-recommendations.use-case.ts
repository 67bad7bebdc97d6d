import { Injectable } from '@nestjs/common';
import { BlockedError, GRAPH_LIMITS, GraphReadRepository, ListHiddenError, MuteRepository, PrivateAccountError, Recommendation, UserId, listAccessOf } from '@graph/domain';
import { GraphPolicy } from './graph-policy';
import { pageLimit } from './read-limits';

export interface GetRecommendationsInput {
  userId: UserId;
  /** Default 10, at most 50. */
  limit?: number;
  /** "People like X": accounts followed by X's followers instead of by the caller's followings. */
  relativeTo?: UserId;
}

export interface Suggestion extends Recommendation {
  /** Up to three of the caller's followings that follow the account ("followed by X and Y"), most recent follow first. */
  sampleMutualIds: UserId[];
}

/**
 * Friend-of-friend suggestions. The work is bounded by the policy (the most recent seeds, and each
 * one's most recent followings), so a heavy user costs what a light one does. Accounts the user
 * mutes are left out: the most the port gives (the cached list) is read, the muted are dropped,
 * and the first `limit` remain. "People like X" reads X's followers, so it needs what reading that
 * list needs (BLOCKED, PRIVATE_ACCOUNT as on GET /followers/{X}).
 */
@Injectable()
export class GetRecommendationsUseCase {
  constructor(
    private readonly graph: GraphReadRepository,
    private readonly mutes: MuteRepository,
    private readonly policy: GraphPolicy,
  ) {}

  async execute(input: GetRecommendationsInput): Promise<Suggestion[]> {
    const limit = pageLimit(input.limit, GRAPH_LIMITS.recommendationsDefault, GRAPH_LIMITS.recommendationsMax);
    if (input.relativeTo !== undefined) await this.assertFollowersVisible(input.userId, input.relativeTo);
    const ranked = await this.graph.getRecommendations(input.userId, GRAPH_LIMITS.recommendationsMax, this.policy.recommendations, input.relativeTo);
    // Samples the repository gave with the list (the cache keeps them for the first ones) are used;
    // those of the first `limit` it did not give are read beside the mutes (one round trip less on
    // a miss), and only the accounts that replace muted ones among them need a second read.
    const samples = new Map(ranked.filter((r) => r.sampleMutualIds).map((r) => [r.userId, r.sampleMutualIds!]));
    const first = ranked.slice(0, limit).map((r) => r.userId).filter((id) => !samples.has(id));
    const [muted, firstSamples] = await Promise.all([this.mutes.getMutes(input.userId, ranked.map((r) => r.userId)), this.samples(input.userId, first)]);
    first.forEach((id, i) => samples.set(id, firstSamples[i]!));
    const kept = ranked.filter((_, i) => muted[i] === null).slice(0, limit);
    const others = kept.map((r) => r.userId).filter((id) => !samples.has(id));
    (await this.samples(input.userId, others)).forEach((s, i) => samples.set(others[i]!, s));
    return kept.map((r) => ({ userId: r.userId, mutualCount: r.mutualCount, sampleMutualIds: samples.get(r.userId)! }));
  }

  private async samples(userId: UserId, targetIds: UserId[]): Promise<UserId[][]> {
    return targetIds.length === 0 ? [] : this.graph.sampleKnownFollowers(userId, targetIds, GRAPH_LIMITS.knownFollowersSample);
  }

  private async assertFollowersVisible(viewerId: UserId, ownerId: UserId): Promise<void> {
    const [[relationship], settings] = await Promise.all([this.graph.getRelationships(viewerId, [ownerId]), this.graph.getSettings(ownerId)]);
    // "People like X" reads X's followers, so it follows X's followers list's visibility.
    const access = listAccessOf(viewerId, ownerId, relationship!, settings, 'followers');
    if (access === 'blocked') throw new BlockedError();
    if (access === 'private') throw new PrivateAccountError();
    if (access === 'hidden') throw new ListHiddenError();
  }
}
