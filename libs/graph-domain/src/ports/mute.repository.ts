import { KeysetPosition, PageQuery } from '../model/edge-list';
import { Mute, MuteSettings } from '../model/mute';
import { UserId } from '../model/user-id';

/** What a bulk removal deleted: how many mutes, and whose mute lists lost them (each muter once). */
export interface RemovedMutes {
  count: number;
  muterIds: UserId[];
}

export interface MuteSlice {
  items: Mute[];
  /** Where the next page starts, or null when this was the last page. */
  next: KeysetPosition | null;
}

/**
 * Mutes: private to the muter. They leave follows, requests and counters alone; the muted account
 * never sees them. A stored mute whose expiry has passed counts as absent everywhere at once and is
 * deleted later by sweepExpired. Each write is one transaction with its graph.mute outbox row.
 * Methods receive ids already validated; self-mute is refused by the use case.
 */
export abstract class MuteRepository {
  /**
   * Mutes `mutedId`, or replaces the settings of an active mute (its created_at stays). A repeat
   * with the same settings writes nothing: `changed: false`, no event. An expired mute still stored
   * is replaced as a new mute (new created_at). Event: `mute` with the settings.
   */
  abstract mute(muterId: UserId, mutedId: UserId, settings: MuteSettings): Promise<{ changed: boolean }>;

  /**
   * Removes the mute. `changed` is true only when an active mute was removed (event `unmute`,
   * reason `unmute`); an expired one still stored is deleted with its `expired` event and answers
   * `changed: false`, as it already read as unmuted.
   */
  abstract unmute(muterId: UserId, mutedId: UserId): Promise<{ changed: boolean }>;

  /** The active mute of each of `userIds` (null when none), in the order asked, in one round trip. */
  abstract getMutes(muterId: UserId, userIds: UserId[]): Promise<Array<Mute | null>>;

  /** One page of the muter's active mutes, newest first, keyset on (created_at, muted id). */
  abstract listMutes(muterId: UserId, page: PageQuery): Promise<MuteSlice>;

  /**
   * Deletes up to `limit` expired mutes, each with its `unmute` event (reason `expired`).
   * @returns how many were deleted (less than `limit` when none are left), and their muters.
   */
  abstract sweepExpired(limit: number): Promise<RemovedMutes>;

  /**
   * Deletes every mute the user made or is the object of (account erasure), with an `unmute` event
   * (reason `erased`) for each one still active. A repeat finds nothing.
   * @returns how many mutes were deleted, and their muters (the user, and those who muted it).
   */
  abstract eraseUser(userId: UserId): Promise<RemovedMutes>;
}
