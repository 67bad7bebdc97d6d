import fc from 'fast-check';
import { CallWindow, Expected, FollowPatch, GraphModel, ListKind, MuteScope, OrderedEntry, SettingsPatch, Visibility } from './graph-model';
import { tokenFor } from './test-app';

/**
 * The commands of the REST model test (test/e2e/rest-model.e2e-spec.ts): each is one REST call by
 * one of the run's users, checked against GraphModel, or a read compared with the model. Users are
 * indices into the run's fresh ids, so a printed sequence (`u2 follow u5 {"notify":true}`) reads
 * the same in every run.
 */

/** The service under test: where it listens and the run's users (fresh ids: the database is shared). */
export interface ModelReal {
  base: string;
  users: string[];
}

type Cmd = fc.AsyncCommand<GraphModel, ModelReal>;

interface Answer {
  status: number;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  call: CallWindow;
}

const tokens = new Map<string, string>();

async function send(r: ModelReal, who: string, method: string, path: string, body?: unknown): Promise<Answer> {
  let token = tokens.get(who);
  if (!token) tokens.set(who, (token = tokenFor(who)));
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const sentAt = Date.now();
  const res = await fetch(`${r.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  const answeredAt = Date.now();
  return { status: res.status, body: text === '' ? {} : JSON.parse(text), call: { sentAt, answeredAt } };
}

class ModelMismatch extends Error {}

/** A mismatch names the run's users as the printed sequence does (u0 … u6), not by their ids. */
async function named<T>(r: ModelReal, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ModelMismatch) error.message = r.users.reduce((text, id, i) => text.replaceAll(id, `u${i}`), error.message);
    throw error;
  }
}

function fail(what: string, expected: unknown, actual: unknown): never {
  throw new ModelMismatch(`${what}\n  expected: ${JSON.stringify(expected)}\n  actual:   ${JSON.stringify(actual)}`);
}

/** Object equality of JSON values, keys in any order. */
function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}

function expectAnswer(what: string, got: Answer, expected: Expected, ignore: string[] = []): void {
  if (expected.status !== 200) {
    if (got.status !== expected.status || got.body?.error?.code !== expected.code) fail(what, expected, { status: got.status, body: got.body });
    return;
  }
  if (got.status !== 200) fail(what, expected, { status: got.status, body: got.body });
  const essentials = Object.fromEntries(Object.keys(expected.body).filter((k) => !ignore.includes(k)).map((k) => [k, got.body[k]]));
  const wanted = Object.fromEntries(Object.entries(expected.body).filter(([k]) => !ignore.includes(k)));
  if (sortedJson(essentials) !== sortedJson(wanted)) fail(what, wanted, got.body);
}

/**
 * A list as the model gives it, against what the service listed (newest first): the same ids, each
 * once; created_at never rising; and where the model knows the order (seq), that order.
 */
function expectOrdered(what: string, items: Array<{ user_id: string; created_at?: string }>, expected: OrderedEntry[], maybe: Set<string> = new Set()): void {
  const ids = items.map((i) => i.user_id);
  const must = expected.map((e) => e.id);
  const unexpected = ids.filter((id) => !must.includes(id) && !maybe.has(id));
  const missing = must.filter((id) => !ids.includes(id));
  if (unexpected.length > 0 || missing.length > 0 || new Set(ids).size !== ids.length) fail(`${what}: members`, must, ids);
  for (let i = 1; i < items.length; i++) {
    const [prev, cur] = [items[i - 1]!, items[i]!];
    if (prev.created_at !== undefined && cur.created_at !== undefined && Date.parse(prev.created_at) < Date.parse(cur.created_at)) fail(`${what}: newest first`, 'created_at not rising', items);
  }
  const seqOf = new Map(expected.map((e) => [e.id, e.seq]));
  const known = ids.map((id) => seqOf.get(id)).filter((s): s is number => s !== null && s !== undefined);
  for (let i = 1; i < known.length; i++) {
    if (known[i - 1]! < known[i]!) fail(`${what}: order`, [...expected].sort((a, b) => (b.seq ?? 0) - (a.seq ?? 0)).map((e) => e.id), ids);
  }
}

const ACCESS_ERRORS = { blocked: [403, 'BLOCKED'], private: [403, 'PRIVATE_ACCOUNT'], hidden: [403, 'LIST_HIDDEN'] } as const;

/** One entry of a listed page (followers, requests, blocks, mutes …). */
interface ListedItem {
  user_id: string;
  created_at?: string;
  [field: string]: unknown;
}

/** Every page of a list, `limit` at a time (first page: no cursor, so the first-page shortcut may answer it). */
async function walk(r: ModelReal, who: string, path: string, name: string, limit: number): Promise<{ first: Answer; items: ListedItem[]; totals: number[] }> {
  const items: ListedItem[] = [];
  const totals: number[] = [];
  const sep = path.includes('?') ? '&' : '?';
  const first = await send(r, who, 'GET', `${path}${sep}limit=${limit}`);
  let page = first;
  for (let n = 0; page.status === 200; n++) {
    if (n > 20) fail(`${path}: paging`, 'at most 20 pages', items.length);
    items.push(...page.body[name]);
    if (page.body.total !== undefined) totals.push(page.body.total);
    if (page.body.next_cursor === null) break;
    page = await send(r, who, 'GET', `${path}${sep}limit=${limit}&cursor=${encodeURIComponent(page.body.next_cursor)}`);
  }
  if (page.status !== 200 && page !== first) fail(`${path}: a later page`, 200, { status: page.status, body: page.body });
  return { first, items, totals };
}

// ------------------------------------------------------------------ reads, also run after each write

async function checkRelationship(m: GraphModel, r: ModelReal, viewer: string, other: string, what: string): Promise<void> {
  const got = await send(r, viewer, 'GET', `/relationship/${other}`);
  if (got.status !== 200) fail(`${what}: relationship status`, 200, got.body);
  expectRelationship(m, viewer, other, got.body, got.call, what);
}

function expectRelationship(m: GraphModel, viewer: string, other: string, body: unknown, call: CallWindow, what: string): void {
  const graph = m.relationship(viewer, other);
  const mute = m.muteView(viewer, other, call);
  const unmuted = { ...graph, muting: false, muting_notifications: false, muting_expires_at: null };
  const muted = { ...graph, muting: true, muting_notifications: mute.notifications, muting_expires_at: mute.expiresAt };
  const allowed = mute.muting === 'either' ? [unmuted, muted] : mute.muting ? [muted] : [unmuted];
  if (!allowed.some((a) => sortedJson(a) === sortedJson(body))) fail(`${what}: relationship of ${viewer} to ${other}`, allowed.length === 1 ? allowed[0] : allowed, body);
}

async function checkRelationships(m: GraphModel, r: ModelReal, viewer: string, what: string): Promise<void> {
  const others = r.users.filter((u) => u !== viewer);
  const got = await send(r, viewer, 'GET', `/relationships?ids=${others.join(',')}`);
  if (got.status !== 200 || got.body.relationships?.length !== others.length) fail(`${what}: relationships`, others.length, got.body);
  others.forEach((o, i) => expectRelationship(m, viewer, o, got.body.relationships[i], got.call, what));
}

async function checkStats(m: GraphModel, r: ModelReal, viewer: string, owner: string, what: string): Promise<void> {
  const got = await send(r, viewer, 'GET', `/stats/${owner}`);
  expectAnswer(`${what}: stats of ${owner} seen by ${viewer}`, got, { status: 200, body: m.stats(viewer, owner) });
  if (Object.keys(got.body).length !== 4) fail(`${what}: stats fields`, Object.keys(m.stats(viewer, owner)), got.body);
}

async function checkList(m: GraphModel, r: ModelReal, viewer: string, owner: string, kind: ListKind, limit: number, what: string): Promise<void> {
  const label = `${what}: ${kind} of ${owner} seen by ${viewer} (limit ${limit})`;
  const { first, items, totals } = await walk(r, viewer, `/${kind}/${owner}`, kind, limit);
  const access = m.access(viewer, owner, kind);
  if (access !== 'ok') {
    const [status, code] = ACCESS_ERRORS[access];
    return expectAnswer(label, first, { status, code });
  }
  if (first.status !== 200) fail(label, 200, { status: first.status, body: first.body });
  const expected = m.list(owner, kind);
  expectOrdered(label, items, expected);
  if (kind !== 'mutuals' && totals.some((t) => t !== expected.length)) fail(`${label}: total`, expected.length, totals);
}

type OwnList = 'requests' | 'requests/outgoing' | 'blocks' | 'mutes';

async function checkOwnList(m: GraphModel, r: ModelReal, viewer: string, list: OwnList, limit: number, what: string): Promise<void> {
  const label = `${what}: ${list} of ${viewer} (limit ${limit})`;
  const name = list === 'requests/outgoing' ? 'requests' : list;
  const { first, items, totals } = await walk(r, viewer, `/${list}`, name, limit);
  if (first.status !== 200) fail(label, 200, { status: first.status, body: first.body });
  if (list === 'mutes') {
    const { sure, maybe } = m.mutesOf(viewer, { sentAt: first.call.sentAt, answeredAt: Date.now() });
    expectOrdered(label, items, sure, new Set(maybe.keys()));
    for (const item of items) {
      const wanted = sure.find((s) => s.id === item.user_id)?.body ?? maybe.get(item.user_id);
      const { created_at: _createdAt, ...settings } = item;
      if (sortedJson(settings) !== sortedJson(wanted)) fail(`${label}: settings`, wanted, item);
    }
    return;
  }
  const expected = list === 'blocks' ? m.blocksOf(viewer) : m.requests(viewer, list === 'requests' ? 'incoming' : 'outgoing');
  expectOrdered(label, items, expected);
  if (totals.some((t) => t !== expected.length)) fail(`${label}: total`, expected.length, totals);
}

async function checkSuggestions(m: GraphModel, r: ModelReal, viewer: string, what: string): Promise<void> {
  const got = await send(r, viewer, 'GET', '/recommendations');
  if (got.status !== 200) fail(`${what}: recommendations`, 200, got.body);
  for (const s of got.body.recommendations as Array<{ user_id: string; mutual_count: number }>) {
    // Suggestions of others lag by the cache's TTL (docs/cache.md); these exclusions hold at once.
    const bad =
      s.user_id === viewer ? 'self' : !r.users.includes(s.user_id) ? 'a stranger' : m.mutedDuring(viewer, s.user_id, got.call) === true ? 'muted' : m.followsOrRequested(viewer, s.user_id) ? 'already followed or requested' : s.mutual_count < 1 ? 'no mutual' : null;
    if (bad) fail(`${what}: recommendations of ${viewer}`, `no suggestion that is ${bad}`, got.body.recommendations);
  }
}

/** Both users' views of each other and their counts, right after a write between them. */
async function checkPair(m: GraphModel, r: ModelReal, a: string, b: string, what: string): Promise<void> {
  if (a === b) return;
  await checkRelationship(m, r, a, b, what);
  await checkRelationship(m, r, b, a, what);
  await checkStats(m, r, a, b, what);
  await checkStats(m, r, b, a, what);
}

/** Starts `users` private (model and service), so sequences have requests to answer from the first step. */
export async function startPrivate(m: GraphModel, r: ModelReal, users: string[]): Promise<void> {
  for (const u of users) expectAnswer(`u${r.users.indexOf(u)} starts private`, await send(r, u, 'PUT', '/settings', { is_private: true }), m.updateSettings(u, { is_private: true }));
}

/** Every read of every user: run at the end of each sequence. */
export function checkEverything(m: GraphModel, r: ModelReal): Promise<void> {
  return named(r, () => checkAll(m, r));
}

async function checkAll(m: GraphModel, r: ModelReal): Promise<void> {
  for (const viewer of r.users) {
    await checkRelationships(m, r, viewer, 'final');
    for (const list of ['requests', 'requests/outgoing', 'blocks', 'mutes'] as const) await checkOwnList(m, r, viewer, list, 20, 'final');
    for (const owner of r.users) {
      await checkStats(m, r, viewer, owner, 'final');
      for (const kind of ['followers', 'following', 'mutuals'] as const) await checkList(m, r, viewer, owner, kind, 20, 'final');
    }
  }
}

// ------------------------------------------------------------------ the commands

class Step implements Cmd {
  /** The call as it was made: a step that picks its target from the model's state names it when it runs. */
  private done: string | null = null;
  constructor(
    private readonly label: string,
    private readonly exec: (m: GraphModel, r: ModelReal, label: string, resolve: (target: string) => string) => Promise<void>,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: GraphModel, r: ModelReal): Promise<void> {
    this.done = null;
    const resolve = (target: string) => (this.done = this.label.replace('{target}', `u${r.users.indexOf(target)}`));
    return named(r, () => this.exec(m, r, this.label, resolve));
  }
  toString(): string {
    return this.done ?? this.label;
  }
}

const LANGUAGES = ['en', 'FR', 'de', 'ja', 'EN'];
const VISIBILITIES: Visibility[] = ['public', 'followers', 'private'];
const json = (v: object) => (Object.keys(v).length === 0 ? '' : ` ${JSON.stringify(v)}`);

/** The command arbitraries for `count` users, weighted towards follows, requests and mutes. */
export function modelCommands(count: number): fc.Arbitrary<Cmd> {
  const user = fc.integer({ min: 0, max: count - 1 });
  const two = fc.tuple(user, user).filter(([a, b]) => a !== b);
  // Now and then a call on oneself (400 SELF_*).
  const pairOrSelf = fc.oneof({ weight: 15, arbitrary: two }, { weight: 1, arbitrary: user.map((u) => [u, u] as [number, number]) });
  const id = (r: ModelReal, i: number) => r.users[i]!;
  // Most answers, unfollows, removals, unblocks and unmutes name someone the state holds (a requester,
  // a follower, a block, a mute), picked by index when the step runs; the others name anyone.
  const existing = fc.option(fc.nat(), { freq: 3, nil: null });
  const pick = (held: string[], k: number | null, fallback: string) => (k !== null && held.length > 0 ? held[k % held.length]! : fallback);

  const followPatch: fc.Arbitrary<FollowPatch & { bad?: true }> = fc.oneof(
    { weight: 3, arbitrary: fc.constant({}) },
    { weight: 6, arbitrary: fc.record({ notify: fc.boolean(), reposts: fc.boolean(), languages: fc.oneof(fc.constant(null), fc.subarray(LANGUAGES)) }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.constant<FollowPatch & { bad?: true }>({ languages: ['en', 'xx'], bad: true }) },
  );
  const follow = fc.tuple(pairOrSelf, followPatch).map(
    ([[a, t], { bad, ...patch }]) =>
      new Step(`u${a} follow u${t}${json(patch)}`, async (m, r, label) => {
        const got = await send(r, id(r, a), 'POST', `/follow/${id(r, t)}`, Object.keys(patch).length === 0 ? undefined : patch);
        // A bad language is refused with nothing written (after the self check, which needs no body).
        if (bad) return expectAnswer(label, got, { status: 400, code: a === t ? 'SELF_FOLLOW' : 'VALIDATION_FAILED' });
        const expected = m.follow(id(r, a), id(r, t), patch);
        expectAnswer(label, got, expected, ['updated']);
        if (expected.status === 200 && /updated/.test(got.body.message) !== expected.body.updated) fail(`${label}: message`, expected.body.updated ? 'options updated' : 'no update', got.body.message);
        await checkPair(m, r, id(r, a), id(r, t), label);
      }),
  );
  /**
   * A call of `o` on someone: picked (by index) among those `held` names in the model's state when
   * the step runs, else the generated user; answered as the model says, then both views checked.
   */
  const onHeld = (
    users: fc.Arbitrary<[number, number]>,
    verb: string,
    held: (m: GraphModel, o: string) => string[],
    call: (o: string, t: string) => [method: string, path: string, body?: unknown],
    expected: (m: GraphModel, o: string, t: string) => Expected,
  ) =>
    fc.tuple(users, existing).map(
      ([[o, given], k]) =>
        new Step(`u${o} ${verb} ${k === null ? `u${given}` : '{target}'}`, async (m, r, _label, resolve) => {
          const t = pick(held(m, id(r, o)), k, id(r, given));
          const label = resolve(t);
          const [method, path, body] = call(id(r, o), t);
          expectAnswer(label, await send(r, id(r, o), method, path, body), expected(m, id(r, o), t));
          await checkPair(m, r, id(r, o), t, label);
        }),
    );
  const unfollow = onHeld(two, 'unfollow', (m, o) => m.followedOrRequested(o), (_o, t) => ['DELETE', `/follow/${t}`], (m, o, t) => m.unfollow(o, t));
  const action = fc.constantFrom('accept' as const, 'accept' as const, 'reject' as const);
  const respond = action.chain((act) =>
    onHeld(pairOrSelf, `${act}s`, (m, o) => m.requests(o, 'incoming').map((e) => e.id), (_o, f) => ['POST', `/requests/${f}`, { action: act }], (m, o, f) => m.respond(o, f, act)),
  );
  const respondMany = fc.tuple(user, fc.array(user, { minLength: 1, maxLength: 4 }), action).map(
    ([o, fs, act]) =>
      new Step(`u${o} ${act}s [${fs.map((f) => `u${f}`).join(',')}]`, async (m, r, label) => {
        const followers = fs.map((f) => id(r, f));
        expectAnswer(label, await send(r, id(r, o), 'POST', '/requests', { action: act, follower_ids: followers }), m.respondMany(id(r, o), followers, act));
        for (const f of new Set(followers)) await checkPair(m, r, id(r, o), f, label);
      }),
  );
  const removeFollower = onHeld(two, 'removes follower', (m, o) => m.list(o, 'followers').map((e) => e.id), (_o, f) => ['DELETE', `/followers/${f}`], (m, o, f) => m.removeFollower(o, f));
  const block = pairOrSelf.map(
    ([a, t]) =>
      new Step(`u${a} block u${t}`, async (m, r, label) => {
        expectAnswer(label, await send(r, id(r, a), 'POST', `/block/${id(r, t)}`), m.block(id(r, a), id(r, t)));
        await checkPair(m, r, id(r, a), id(r, t), label);
      }),
  );
  const unblock = onHeld(two, 'unblock', (m, o) => m.blocksOf(o).map((e) => e.id), (_o, t) => ['DELETE', `/block/${t}`], (m, o, t) => m.unblock(o, t));
  const muteBody = fc.record(
    { notifications: fc.boolean(), scope: fc.constantFrom<MuteScope>('all', 'reposts'), duration: fc.constantFrom(0, 1, 1, 2, 3600) },
    { requiredKeys: [] },
  );
  const mute = fc.tuple(pairOrSelf, muteBody).map(
    ([[a, t], body]) =>
      new Step(`u${a} mute u${t}${json(body)}`, async (m, r, label) => {
        const got = await send(r, id(r, a), 'POST', `/mutes/${id(r, t)}`, Object.keys(body).length === 0 ? undefined : body);
        const expected = m.mute(id(r, a), id(r, t), body);
        expectAnswer(label, got, expected);
        if (expected.status !== 200) return;
        const duration = body.duration ?? 0;
        const expiresAt = got.body.expires_at === null ? null : Date.parse(got.body.expires_at);
        // A duration counts from the call: the expiry lies within the call's window plus the duration.
        const inWindow = duration === 0 ? expiresAt === null : expiresAt !== null && expiresAt >= got.call.sentAt + duration * 1000 - 1 && expiresAt <= got.call.answeredAt + duration * 1000 + 1;
        if (!inWindow) fail(`${label}: expires_at`, duration === 0 ? null : `within ${duration}s of the call`, got.body.expires_at);
        m.recordMute(id(r, a), id(r, t), { notifications: got.body.notifications, scope: got.body.scope, expiresAt }, got.call);
        await checkPair(m, r, id(r, a), id(r, t), label);
      }),
  );
  const unmute = onHeld(two, 'unmute', (m, o) => m.mutedBy(o), (_o, t) => ['DELETE', `/mutes/${t}`], (m, o, t) => m.unmute(o, t));
  const settingsPatch: fc.Arbitrary<SettingsPatch> = fc
    .record(
      {
        is_private: fc.boolean(),
        followers_visibility: fc.constantFrom(...VISIBILITIES),
        following_visibility: fc.constantFrom(...VISIBILITIES),
        hide_counts: fc.boolean(),
        auto_accept_followed: fc.boolean(),
      },
      { requiredKeys: [] },
    )
    .filter((p) => Object.keys(p).length > 0);
  const settings = fc.oneof(
    fc.tuple(user, fc.boolean()).map(
      ([u, isPrivate]) =>
        new Step(`u${u} PUT settings ${JSON.stringify({ is_private: isPrivate })}`, async (m, r, label) => {
          expectAnswer(label, await send(r, id(r, u), 'PUT', '/settings', { is_private: isPrivate }), m.updateSettings(id(r, u), { is_private: isPrivate }));
          await checkOwnList(m, r, id(r, u), 'requests', 20, label);
        }),
    ),
    fc.tuple(user, settingsPatch).map(
      ([u, patch]) =>
        new Step(`u${u} PATCH settings ${JSON.stringify(patch)}`, async (m, r, label) => {
          expectAnswer(label, await send(r, id(r, u), 'PATCH', '/settings', patch), m.updateSettings(id(r, u), patch));
        }),
    ),
  );

  const limit = fc.constantFrom(2, 20);
  const reads = fc.oneof(
    user.map((v) => new Step(`check relationships of u${v}`, (m, r, label) => checkRelationships(m, r, id(r, v), label))),
    fc.tuple(user, user).map(([v, o]) => new Step(`check stats of u${o} seen by u${v}`, (m, r, label) => checkStats(m, r, id(r, v), id(r, o), label))),
    fc.tuple(user, user, fc.constantFrom<ListKind>('followers', 'following', 'followers', 'following', 'mutuals'), limit).map(
      ([v, o, kind, l]) => new Step(`check ${kind} of u${o} seen by u${v} (limit ${l})`, (m, r, label) => checkList(m, r, id(r, v), id(r, o), kind, l, label)),
    ),
    fc.tuple(user, fc.constantFrom<OwnList>('requests', 'requests/outgoing', 'blocks', 'mutes'), limit).map(
      ([v, list, l]) => new Step(`check ${list} of u${v} (limit ${l})`, (m, r, label) => checkOwnList(m, r, id(r, v), list, l, label)),
    ),
    user.map((v) => new Step(`check recommendations of u${v}`, (m, r, label) => checkSuggestions(m, r, id(r, v), label))),
  );

  return fc.oneof(
    { weight: 10, arbitrary: follow },
    { weight: 2, arbitrary: unfollow },
    { weight: 5, arbitrary: respond },
    { weight: 1, arbitrary: respondMany },
    { weight: 1, arbitrary: removeFollower },
    { weight: 1, arbitrary: block },
    { weight: 1, arbitrary: unblock },
    { weight: 4, arbitrary: mute },
    { weight: 2, arbitrary: unmute },
    { weight: 2, arbitrary: settings },
    { weight: 6, arbitrary: reads },
  );
}
