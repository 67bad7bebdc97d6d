import {
  AccountPoliciesPatch,
  EraseOutcome,
  ExpiredRequestsOutcome,
  FollowOptions,
  FollowOptionsOutcome,
  FollowOptionsPatch,
  FollowOutcome,
  FollowStatus,
  FollowingCap,
  GraphError,
  GraphWriteRepository,
  PoliciesOutcome,
  PrivacyOutcome,
  RequestResponseOutcome,
  SettingsChange,
  SettingsOutcome,
  UnavailableError,
  UserId,
} from '@graph/domain';
import { ReadReplicas } from './read-replicas';

/**
 * Tells the read replicas which users each write touched, once it returns (ReadReplicas.markWritten),
 * so reads about them stay on the primary until a replica has replayed it. A write that failed in an
 * unknown way may have committed: its named users are marked too, and for the writes whose other
 * users only the outcome names (privacy, erase), everyone.
 */
export class ReplicaMarkingGraphWriteRepository extends GraphWriteRepository {
  constructor(
    private readonly inner: GraphWriteRepository,
    private readonly replicas: ReadReplicas,
  ) {
    super();
  }

  follow(followerId: UserId, followingId: UserId, options?: FollowOptions, cap?: FollowingCap, admission?: Promise<void>): Promise<FollowOutcome> {
    return this.marked([followerId, followingId], () => this.inner.follow(followerId, followingId, options, cap, admission));
  }

  dismissRecommendation(userId: UserId, dismissedId: UserId): Promise<{ changed: boolean }> {
    return this.marked([userId], () => this.inner.dismissRecommendation(userId, dismissedId));
  }

  updateFollowOptions(followerId: UserId, followingId: UserId, patch: FollowOptionsPatch): Promise<FollowOptionsOutcome> {
    return this.marked([followerId, followingId], () => this.inner.updateFollowOptions(followerId, followingId, patch));
  }

  unfollow(followerId: UserId, followingId: UserId): Promise<{ removed: FollowStatus | null }> {
    return this.marked([followerId, followingId], () => this.inner.unfollow(followerId, followingId));
  }

  respondToRequest(ownerId: UserId, followerId: UserId, action: 'accept' | 'reject'): Promise<RequestResponseOutcome> {
    return this.marked([ownerId, followerId], () => this.inner.respondToRequest(ownerId, followerId, action));
  }

  removeFollower(ownerId: UserId, followerId: UserId): Promise<{ removed: boolean }> {
    return this.marked([ownerId, followerId], () => this.inner.removeFollower(ownerId, followerId));
  }

  block(blockerId: UserId, blockedId: UserId): Promise<{ changed: boolean; affectedUserIds: UserId[] }> {
    return this.marked([blockerId, blockedId], () => this.inner.block(blockerId, blockedId), (o) => o.affectedUserIds);
  }

  unblock(blockerId: UserId, blockedId: UserId): Promise<{ changed: boolean }> {
    return this.marked([blockerId, blockedId], () => this.inner.unblock(blockerId, blockedId));
  }

  setPrivacy(userId: UserId, isPrivate: boolean): Promise<PrivacyOutcome> {
    return this.marked([userId], () => this.inner.setPrivacy(userId, isPrivate), (o) => o.acceptedFollowerIds, true);
  }

  updateAccountPolicies(userId: UserId, patch: AccountPoliciesPatch): Promise<PoliciesOutcome> {
    return this.marked([userId], () => this.inner.updateAccountPolicies(userId, patch));
  }

  updateSettings(userId: UserId, change: SettingsChange): Promise<SettingsOutcome> {
    return this.marked([userId], () => this.inner.updateSettings(userId, change), (o) => o.privacy?.acceptedFollowerIds ?? [], change.isPrivate !== undefined);
  }

  /** The users of the expired requests are known only from the outcome: everyone if it failed unknown. */
  expireRequests(limit: number): Promise<ExpiredRequestsOutcome> {
    return this.marked([], () => this.inner.expireRequests(limit), (o) => o.expired.flatMap((e) => [e.followerId, e.followingId]), true);
  }

  eraseUser(userId: UserId): Promise<EraseOutcome> {
    return this.marked([userId], () => this.inner.eraseUser(userId), (o) => o.affectedUserIds, true);
  }

  private async marked<T>(users: UserId[], write: () => Promise<T>, alsoTouched?: (outcome: T) => UserId[], unknownIfFailed = false): Promise<T> {
    let outcome: T;
    try {
      outcome = await write();
    } catch (error) {
      // A domain refusal wrote nothing; anything else (a lost connection too) may have committed.
      if (!(error instanceof GraphError) || error instanceof UnavailableError) {
        this.replicas.markWritten(users);
        if (unknownIfFailed) this.replicas.markAllWritten();
      }
      throw error;
    }
    this.replicas.markWritten(alsoTouched ? [...users, ...alsoTouched(outcome)] : users);
    return outcome;
  }
}
