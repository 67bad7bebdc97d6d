/**
 * A reference model of the REST contract of the graph (docs/api.md), in plain TypeScript and written
 * from the docs, not from the service's code (it shares none of its rules, so it does not share
 * their bugs): follows with their status and options, follow requests, blocks, mutes, privacy and
 * the account policies, for a handful of users. Each write returns the answer the service must give
 * and changes the model; each read gives what the service must answer now.
 *
 * Time enters through timed mutes only. The model knows when a call was sent and answered, not
 * when the service read its clock, so a mute whose expiry falls within a call is `either`: both
 * answers are right then.
 */

export type Visibility = 'public' | 'followers' | 'private';
export type EdgeStatus = 'accepted' | 'pending' | 'rejected';
export type MuteScope = 'all' | 'reposts';

export interface FollowOptions {
  notify: boolean;
  reposts: boolean;
  languages: string[] | null;
}

export interface FollowPatch {
  notify?: boolean;
  reposts?: boolean;
  languages?: string[] | null;
}

export interface Settings {
  is_private: boolean;
  followers_visibility: Visibility;
  following_visibility: Visibility;
  hide_counts: boolean;
  auto_accept_followed: boolean;
  request_ttl_days: number | null;
}

export type SettingsPatch = Partial<Omit<Settings, 'request_ttl_days'>>;

interface Edge {
  status: EdgeStatus;
  options: FollowOptions;
  /** Position in the list's order (the edge's created_at: made, accepted or requested). */
  seq: number;
}

interface ModelMute {
  notifications: boolean;
  scope: MuteScope;
  /** ms since the epoch, as the service answered it; null: forever. */
  expiresAt: number | null;
  /** created_at's place; null when the model cannot tell (a re-mute at the moment the old one expired). */
  seq: number | null;
}

/** When a call was sent and when its answer came, in ms (Date.now()). */
export interface CallWindow {
  sentAt: number;
  answeredAt: number;
}

/** An expected answer: a status, and a code for an error or the essentials of the body. */
export type Expected = { status: 200; body: Record<string, unknown> } | { status: 400 | 403 | 404; code: string };

/** One entry of an ordered list: the ids with equal `seq` may come in any order. */
export interface OrderedEntry {
  id: string;
  seq: number | null;
}

export type ListKind = 'followers' | 'following' | 'mutuals';
export type Access = 'ok' | 'blocked' | 'private' | 'hidden';
export type Tristate = true | false | 'either';

export interface ExpectedMuteView {
  muting: Tristate;
  /** The values shown while muting. */
  notifications: boolean;
  expiresAt: string | null;
}

export interface FollowingCap {
  base: number;
  ratio: number;
}

/** The slack around a call's window within which the service's clock may have read an expiry. */
const CLOCK_SLACK_MS = 25;

const DEFAULT_OPTIONS: FollowOptions = { notify: false, reposts: true, languages: null };
const DEFAULT_SETTINGS: Settings = {
  is_private: false,
  followers_visibility: 'public',
  following_visibility: 'public',
  hide_counts: false,
  auto_accept_followed: false,
  request_ttl_days: null,
};

const pair = (a: string, b: string) => `${a}>${b}`;

/** ISO 639-1 codes as the docs say they are kept: lowercase, sorted, once each; [] means every language. */
function normalizeLanguages(languages: string[] | null): string[] | null {
  if (languages === null) return null;
  const codes = [...new Set(languages.map((l) => l.toLowerCase()))].sort();
  return codes.length === 0 ? null : codes;
}

function applyPatch(base: FollowOptions, patch: FollowPatch): FollowOptions {
  return {
    notify: patch.notify ?? base.notify,
    reposts: patch.reposts ?? base.reposts,
    languages: patch.languages === undefined ? base.languages : normalizeLanguages(patch.languages),
  };
}

const sameOptions = (a: FollowOptions, b: FollowOptions) =>
  a.notify === b.notify && a.reposts === b.reposts && JSON.stringify(a.languages) === JSON.stringify(b.languages);

const STRICTNESS: Record<Visibility, number> = { public: 0, followers: 1, private: 2 };

export class GraphModel {
  private readonly edges = new Map<string, Edge>();
  private readonly blocks = new Map<string, number>();
  private readonly mutes = new Map<string, ModelMute>();
  private readonly settings = new Map<string, Settings>();
  private seq = 0;

  constructor(
    readonly users: readonly string[],
    private readonly cap: FollowingCap,
  ) {}

  // ---------------------------------------------------------------- writes

  follow(a: string, t: string, patch: FollowPatch): Expected {
    if (a === t) return { status: 400, code: 'SELF_FOLLOW' };
    if (this.blockedEitherWay(a, t)) return { status: 403, code: 'BLOCKED' };
    const existing = this.edges.get(pair(a, t));
    if (existing && existing.status !== 'rejected') {
      const options = applyPatch(existing.options, patch);
      const updated = !sameOptions(options, existing.options);
      existing.options = options;
      return { status: 200, body: { success: true, status: existing.status, updated } };
    }
    const used = this.outgoing(a).filter(([, e]) => e.status !== 'rejected').length;
    const followers = this.incoming(a).filter(([, e]) => e.status === 'accepted').length;
    const limit = this.cap.base <= 0 ? Infinity : Math.max(this.cap.base, Math.floor(followers * this.cap.ratio));
    if (used >= limit) return { status: 403, code: 'FOLLOW_LIMIT_REACHED' };
    const target = this.settingsOf(t);
    const autoAccepted = target.auto_accept_followed && this.edges.get(pair(t, a))?.status === 'accepted';
    const status: EdgeStatus = target.is_private && !autoAccepted ? 'pending' : 'accepted';
    this.edges.set(pair(a, t), { status, options: applyPatch(DEFAULT_OPTIONS, patch), seq: this.next() });
    return { status: 200, body: { success: true, status, updated: false } };
  }

  unfollow(a: string, t: string): Expected {
    this.edges.delete(pair(a, t));
    return { status: 200, body: { success: true, status: 'none' } };
  }

  respond(owner: string, follower: string, action: 'accept' | 'reject'): Expected {
    const answer = this.answer(owner, follower, action);
    if (answer === 'not_found') return { status: 404, code: 'REQUEST_NOT_FOUND' };
    return { status: 200, body: { success: true, status: answer, follower_id: follower } };
  }

  respondMany(owner: string, followers: string[], action: 'accept' | 'reject'): Expected {
    const results = followers.map((f) => ({ follower_id: f, status: this.answer(owner, f, action) }));
    return { status: 200, body: { success: true, results } };
  }

  removeFollower(owner: string, follower: string): Expected {
    if (this.edges.get(pair(follower, owner))?.status === 'accepted') this.edges.delete(pair(follower, owner));
    return { status: 200, body: { success: true, status: 'none' } };
  }

  block(a: string, t: string): Expected {
    if (a === t) return { status: 400, code: 'SELF_BLOCK' };
    if (!this.blocks.has(pair(a, t))) {
      this.blocks.set(pair(a, t), this.next());
      this.edges.delete(pair(a, t));
      this.edges.delete(pair(t, a));
    }
    return { status: 200, body: { success: true, blocking: true } };
  }

  unblock(a: string, t: string): Expected {
    this.blocks.delete(pair(a, t));
    return { status: 200, body: { success: true, blocking: false } };
  }

  /**
   * The answer of POST /mutes without its expires_at, which the service computes from its clock
   * (`recordMute` takes it from the answer once it is checked).
   */
  mute(a: string, t: string, settings: { notifications?: boolean; scope?: MuteScope }): Expected {
    if (a === t) return { status: 400, code: 'SELF_MUTE' };
    return { status: 200, body: { success: true, muting: true, notifications: settings.notifications ?? true, scope: settings.scope ?? 'all' } };
  }

  recordMute(a: string, t: string, settings: { notifications: boolean; scope: MuteScope; expiresAt: number | null }, call: CallWindow): void {
    const before = this.mutes.get(pair(a, t));
    const was = before ? this.activeDuring(before, call) : false;
    // A repeat on an active mute keeps its place in GET /mutes; an expired (or no) mute starts anew.
    const seq = was === true ? before!.seq : was === false ? this.next() : null;
    this.mutes.set(pair(a, t), { ...settings, seq });
  }

  unmute(a: string, t: string): Expected {
    this.mutes.delete(pair(a, t));
    return { status: 200, body: { success: true, muting: false } };
  }

  updateSettings(u: string, patch: SettingsPatch): Expected {
    const s = { ...this.settingsOf(u), ...patch };
    if (this.settingsOf(u).is_private && !s.is_private) {
      // Going public accepts every pending request at once (one transaction: equal created_at order).
      const at = this.next();
      for (const [, e] of this.incoming(u)) {
        if (e.status === 'pending') Object.assign(e, { status: 'accepted', seq: at });
      }
    }
    this.settings.set(u, s);
    return { status: 200, body: { ...s } };
  }

  // ---------------------------------------------------------------- reads

  relationship(viewer: string, other: string): Record<string, unknown> {
    const mine = this.edges.get(pair(viewer, other));
    const theirs = this.edges.get(pair(other, viewer));
    const following = mine?.status === 'accepted';
    const requested = mine?.status === 'pending';
    const followedBy = theirs?.status === 'accepted';
    const requestedBy = theirs?.status === 'pending';
    const blocking = this.blocks.has(pair(viewer, other));
    const blockedBy = this.blocks.has(pair(other, viewer));
    const mutual = following && followedBy;
    const relationship =
      blocking || blockedBy ? 'blocked' : mutual ? 'mutual' : following ? 'following' : requested ? 'requested' : followedBy ? 'followed_by' : 'none';
    const options = following || requested ? mine!.options : null;
    return {
      user_id: other,
      following,
      followed_by: followedBy,
      mutual,
      requested,
      requested_by: requestedBy,
      blocking,
      blocked_by: blockedBy,
      relationship,
      notifying: options?.notify ?? false,
      showing_reposts: options?.reposts ?? false,
      languages: options?.languages ?? null,
    };
  }

  /** The viewer's own mute of `other` (the other way round is never shown: mutes are private). */
  muteView(viewer: string, other: string, call: CallWindow): ExpectedMuteView {
    const m = this.mutes.get(pair(viewer, other));
    if (!m) return { muting: false, notifications: false, expiresAt: null };
    return { muting: this.activeDuring(m, call), notifications: m.notifications, expiresAt: m.expiresAt === null ? null : new Date(m.expiresAt).toISOString() };
  }

  stats(viewer: string, owner: string): Record<string, unknown> {
    const followers = this.incoming(owner).filter(([, e]) => e.status === 'accepted').length;
    const following = this.outgoing(owner).filter(([, e]) => e.status === 'accepted').length;
    const pending = this.incoming(owner).filter(([, e]) => e.status === 'pending').length;
    const s = this.settingsOf(owner);
    if (!s.hide_counts || viewer === owner) return { user_id: owner, follower_count: followers, following_count: following, pending_requests_count: pending };
    return {
      user_id: owner,
      follower_count: this.access(viewer, owner, 'followers') === 'ok' ? followers : null,
      following_count: this.access(viewer, owner, 'following') === 'ok' ? following : null,
      pending_requests_count: null,
    };
  }

  /** docs/api.md: the owner sees all; then a block by the owner, a private owner, then the list's visibility. */
  access(viewer: string, owner: string, kind: ListKind): Access {
    if (viewer === owner) return 'ok';
    if (this.blocks.has(pair(owner, viewer))) return 'blocked';
    const follower = this.edges.get(pair(viewer, owner))?.status === 'accepted';
    const s = this.settingsOf(owner);
    if (s.is_private && !follower) return 'private';
    const visibility =
      kind === 'followers'
        ? s.followers_visibility
        : kind === 'following'
          ? s.following_visibility
          : STRICTNESS[s.followers_visibility] >= STRICTNESS[s.following_visibility]
            ? s.followers_visibility
            : s.following_visibility;
    if (visibility === 'private' || (visibility === 'followers' && !follower)) return 'hidden';
    return 'ok';
  }

  /** The list, newest first (mutuals: their order is not modelled, seq null). */
  list(owner: string, kind: ListKind): OrderedEntry[] {
    const followers = this.incoming(owner).filter(([, e]) => e.status === 'accepted');
    const following = this.outgoing(owner).filter(([, e]) => e.status === 'accepted');
    if (kind === 'followers') return followers.map(([id, e]) => ({ id, seq: e.seq }));
    if (kind === 'following') return following.map(([id, e]) => ({ id, seq: e.seq }));
    const followed = new Set(following.map(([id]) => id));
    return followers.filter(([id]) => followed.has(id)).map(([id]) => ({ id, seq: null }));
  }

  requests(owner: string, direction: 'incoming' | 'outgoing'): OrderedEntry[] {
    const edges = direction === 'incoming' ? this.incoming(owner) : this.outgoing(owner);
    return edges.filter(([, e]) => e.status === 'pending').map(([id, e]) => ({ id, seq: e.seq }));
  }

  blocksOf(owner: string): OrderedEntry[] {
    return this.users.filter((u) => this.blocks.has(pair(owner, u))).map((id) => ({ id, seq: this.blocks.get(pair(owner, id))! }));
  }

  /** The viewer's mutes: `sure` ones must be listed, `maybe` ones (expiring during the call) may be. */
  mutesOf(viewer: string, call: CallWindow): { sure: Array<OrderedEntry & { body: Record<string, unknown> }>; maybe: Map<string, Record<string, unknown>> } {
    const sure: Array<OrderedEntry & { body: Record<string, unknown> }> = [];
    const maybe = new Map<string, Record<string, unknown>>();
    for (const id of this.users) {
      const m = this.mutes.get(pair(viewer, id));
      if (!m) continue;
      const active = this.activeDuring(m, call);
      const body = { user_id: id, notifications: m.notifications, scope: m.scope, expires_at: m.expiresAt === null ? null : new Date(m.expiresAt).toISOString() };
      if (active === true) sure.push({ id, seq: m.seq, body });
      else if (active === 'either') maybe.set(id, body);
    }
    return { sure, maybe };
  }

  /** Whether the viewer surely mutes `other` now, surely does not, or cannot tell. */
  mutedDuring(viewer: string, other: string, call: CallWindow): Tristate {
    const m = this.mutes.get(pair(viewer, other));
    return m ? this.activeDuring(m, call) : false;
  }

  /** Whom `viewer` has a stored mute of (active or expired, not yet undone). */
  mutedBy(viewer: string): string[] {
    return this.users.filter((u) => this.mutes.has(pair(viewer, u)));
  }

  /** Whom `viewer` follows, has asked to follow, or was rejected by. */
  followedOrRequested(viewer: string): string[] {
    return this.outgoing(viewer).map(([id]) => id);
  }

  followsOrRequested(viewer: string, other: string): boolean {
    const s = this.edges.get(pair(viewer, other))?.status;
    return s === 'accepted' || s === 'pending';
  }

  // ---------------------------------------------------------------- helpers

  private answer(owner: string, follower: string, action: 'accept' | 'reject'): 'accepted' | 'rejected' | 'not_found' {
    const edge = this.edges.get(pair(follower, owner));
    if (action === 'accept') {
      if (edge?.status === 'accepted') return 'accepted';
      if (edge?.status !== 'pending') return 'not_found';
      // The follow is made at acceptance: it moves to the top of the lists.
      Object.assign(edge, { status: 'accepted', seq: this.next() });
      return 'accepted';
    }
    if (edge?.status === 'rejected') return 'rejected';
    if (edge?.status !== 'pending') return 'not_found';
    edge.status = 'rejected';
    return 'rejected';
  }

  private activeDuring(m: ModelMute, call: CallWindow): Tristate {
    if (m.expiresAt === null || m.expiresAt > call.answeredAt + CLOCK_SLACK_MS) return true;
    if (m.expiresAt <= call.sentAt - CLOCK_SLACK_MS) return false;
    return 'either';
  }

  private blockedEitherWay(a: string, b: string): boolean {
    return this.blocks.has(pair(a, b)) || this.blocks.has(pair(b, a));
  }

  private settingsOf(u: string): Settings {
    return this.settings.get(u) ?? DEFAULT_SETTINGS;
  }

  private outgoing(u: string): Array<[string, Edge]> {
    return this.users.flatMap((o) => {
      const e = this.edges.get(pair(u, o));
      return e ? [[o, e] as [string, Edge]] : [];
    });
  }

  private incoming(u: string): Array<[string, Edge]> {
    return this.users.flatMap((o) => {
      const e = this.edges.get(pair(o, u));
      return e ? [[o, e] as [string, Edge]] : [];
    });
  }

  private next(): number {
    return ++this.seq;
  }
}
