/**
 * What a follower asked of one follow (Mastodon's notify / reblogs / languages): kept on the edge,
 * a pending request included, so they survive its acceptance.
 */
export interface FollowOptions {
  /** Notify the follower of each new post of the followed account. */
  notify: boolean;
  /** Show the followed account's reposts in the follower's timeline. */
  reposts: boolean;
  /** Only posts in these ISO 639-1 languages reach the timeline; null: every language. */
  languages: string[] | null;
}

export const DEFAULT_FOLLOW_OPTIONS: FollowOptions = Object.freeze({ notify: false, reposts: true, languages: null }) as FollowOptions;

/** The fields a call gives; the others keep their value (a new follow: the defaults). */
export type FollowOptionsPatch = Partial<FollowOptions>;

export function withFollowOptions(base: FollowOptions, patch: FollowOptionsPatch): FollowOptions {
  return {
    notify: patch.notify ?? base.notify,
    reposts: patch.reposts ?? base.reposts,
    languages: patch.languages !== undefined ? patch.languages : base.languages,
  };
}

export function sameFollowOptions(a: FollowOptions, b: FollowOptions): boolean {
  const languages = (o: FollowOptions) => (o.languages === null ? null : o.languages.join(','));
  return a.notify === b.notify && a.reposts === b.reposts && languages(a) === languages(b);
}

export function isEmptyFollowOptionsPatch(patch: FollowOptionsPatch): boolean {
  return patch.notify === undefined && patch.reposts === undefined && patch.languages === undefined;
}
