import { ValidationError } from '../graph.errors';

/** Who may see one of an account's lists: anyone, its accepted followers, or the account alone. */
export type ListVisibility = 'public' | 'followers' | 'private';
export const LIST_VISIBILITIES: readonly ListVisibility[] = ['public', 'followers', 'private'];

/** The account policies (docs/api.md "Account policies"); an account never configured has the defaults. */
export interface AccountPolicies {
  followersVisibility: ListVisibility;
  followingVisibility: ListVisibility;
  /** `/stats` answers null for a count of a list the viewer may not see. */
  hideCounts: boolean;
  /** A private account accepts at once a request from an account it follows. */
  autoAcceptFollowed: boolean;
  /** Pending requests older than this many days expire; null: never. */
  requestTtlDays: number | null;
}

export interface UserSettings extends AccountPolicies {
  isPrivate: boolean;
}

export const REQUEST_TTL_DAYS_MAX = 365;

export const DEFAULT_USER_SETTINGS: Readonly<UserSettings> = Object.freeze({
  isPrivate: false,
  followersVisibility: 'public',
  followingVisibility: 'public',
  hideCounts: false,
  autoAcceptFollowed: false,
  requestTtlDays: null,
});

/** The policies a call gives; the others keep their value. */
export type AccountPoliciesPatch = Partial<AccountPolicies>;

/** True when every setting has its default (the cache's "open account" entry). */
export function hasDefaultSettings(s: UserSettings): boolean {
  return (Object.keys(DEFAULT_USER_SETTINGS) as (keyof UserSettings)[]).every((k) => s[k] === DEFAULT_USER_SETTINGS[k]);
}

export function withAccountPolicies(base: UserSettings, patch: AccountPoliciesPatch): UserSettings {
  const out = { ...base };
  for (const k of Object.keys(patch) as (keyof AccountPolicies)[]) if (patch[k] !== undefined) (out as Record<string, unknown>)[k] = patch[k];
  return out;
}

/** The domain's check of a policies patch (the HTTP DTO checks shapes too; user.events and tests come here directly). */
export function assertAccountPoliciesPatch(patch: AccountPoliciesPatch): void {
  for (const field of ['followersVisibility', 'followingVisibility'] as const) {
    const v = patch[field];
    if (v !== undefined && !LIST_VISIBILITIES.includes(v)) throw new ValidationError(`${snake(field)} must be one of ${LIST_VISIBILITIES.join(', ')}`, snake(field));
  }
  const ttl = patch.requestTtlDays;
  if (ttl !== undefined && ttl !== null && (!Number.isInteger(ttl) || ttl < 1 || ttl > REQUEST_TTL_DAYS_MAX)) {
    throw new ValidationError(`request_ttl_days must be a whole number from 1 to ${REQUEST_TTL_DAYS_MAX}, or null (never)`, 'request_ttl_days');
  }
}

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
