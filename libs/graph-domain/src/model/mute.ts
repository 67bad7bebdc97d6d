import { UserId } from './user-id';

/** `all`: hide the account's posts and reposts; `reposts`: hide only what it reposts. */
export type MuteScope = 'all' | 'reposts';
export const MUTE_SCOPES: readonly MuteScope[] = ['all', 'reposts'];

/** The longest timed mute (0 means forever). */
export const MAX_MUTE_DURATION_SECONDS = 365 * 24 * 3600;

export interface MuteSettings {
  /** Whether the muted account's notifications are hidden too. */
  notifications: boolean;
  scope: MuteScope;
  /** When the mute ends by itself; null for a mute that lasts until undone. */
  expiresAt: Date | null;
}

/** One active mute, from the muter's side. */
export interface Mute extends MuteSettings {
  mutedId: UserId;
  /** When the mute began (a repeat that changes the settings keeps it). */
  createdAt: Date;
  /** created_at in µs since the epoch (decimal), the keyset position of GET /mutes. */
  createdAtUs: string;
}

/** Why a mute ended: undone, run out, or one of the two accounts erased. */
export type UnmuteReason = 'unmute' | 'expired' | 'erased';

/**
 * What changed in the muter's private mute list. The Postgres adapter turns each into a row of the
 * outbox (topic graph.mute, key muter_id) in the transaction of the change.
 */
export type MuteEvent =
  | ({ type: 'mute'; muterId: UserId; mutedId: UserId } & MuteSettings)
  | { type: 'unmute'; muterId: UserId; mutedId: UserId; reason: UnmuteReason };

/** Whether a stored mute is still in force at `now` (an expired one reads as no mute at once). */
export function isMuteActive(mute: { expiresAt: Date | null }, now: Date): boolean {
  return mute.expiresAt === null || mute.expiresAt.getTime() > now.getTime();
}

/** Whether a repeat would change nothing (expiry compared to the millisecond, what a Date holds). */
export function sameMuteSettings(a: MuteSettings, b: MuteSettings): boolean {
  return a.notifications === b.notifications && a.scope === b.scope && (a.expiresAt?.getTime() ?? null) === (b.expiresAt?.getTime() ?? null);
}

/** The viewer's mute of another account, as the relationship view shows it. */
export interface MuteView {
  muting: boolean;
  mutingNotifications: boolean;
  mutingExpiresAt: Date | null;
}

export function muteViewOf(mute: Mute | null): MuteView {
  return { muting: mute !== null, mutingNotifications: mute?.notifications ?? false, mutingExpiresAt: mute?.expiresAt ?? null };
}
