import { ListVisibility, UserSettings } from '@graph/domain';

/** The user_settings columns of UserSettings, as both Postgres adapters read them. */
export const SETTINGS_COLUMNS = `is_private, followers_visibility, following_visibility, hide_counts, auto_accept_followed, request_ttl_days`;

export interface SettingsRow {
  is_private: boolean;
  followers_visibility: ListVisibility;
  following_visibility: ListVisibility;
  hide_counts: boolean;
  auto_accept_followed: boolean;
  request_ttl_days: number | null;
}

export function toUserSettings(r: SettingsRow): UserSettings {
  return {
    isPrivate: r.is_private,
    followersVisibility: r.followers_visibility,
    followingVisibility: r.following_visibility,
    hideCounts: r.hide_counts,
    autoAcceptFollowed: r.auto_accept_followed,
    requestTtlDays: r.request_ttl_days,
  };
}
