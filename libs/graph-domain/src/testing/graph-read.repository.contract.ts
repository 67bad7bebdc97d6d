import { EdgeList, ListedEdge, OwnedEdgeList } from '../model/edge-list';
import { AccountPolicies, DEFAULT_USER_SETTINGS, ListVisibility } from '../model/account-settings';
import { listAccess, listVisibilityOf } from '../model/list-access';
import { StoredStatus } from './in-memory-graph.store';
import { UserId } from '../model/user-id';
import { GraphReadRepository } from '../ports/graph-read.repository';
import { GRAPH_LIMITS } from '../model/limits';

export interface SeedEdge {
  follower: UserId;
  following: UserId;
  status: StoredStatus;
  /** µs since the epoch; defaults to a clock that increases with every seeded row. */
  createdAtUs?: bigint;
  /** Follow option: notified of the followed account's posts (default false). */
  notify?: boolean;
}

export interface SeedBlock {
  blocker: UserId;
  blocked: UserId;
  createdAtUs?: bigint;
}

export interface GraphSeed {
  edges?: SeedEdge[];
  blocks?: SeedBlock[];
  privateUsers?: UserId[];
  /** Suggestions dismissed: `dismissed` is never suggested to `user`. */
  dismissals?: Array<{ user: UserId; dismissed: UserId }>;
  /** Account policies, the rest of each user's settings left at the defaults. */
  policies?: Array<{ userId: UserId } & Partial<AccountPolicies>>;
}

export interface GraphReadFixture {
  repo: GraphReadRepository;
  /** Writes the rows as committed data (with exact counters where the implementation keeps them). */
  seed(graph: GraphSeed): Promise<void>;
}

/** Ids far above the ones other tests hand out, so suites sharing one database never collide. */
let nextId = 7_000_000_000_000_000_000n + BigInt(Date.now() % 1_000_000_000) * 1000n;
function freshId(): UserId {
  nextId += 1n;
  return nextId.toString() as UserId;
}
function ids(n: number): UserId[] {
  return Array.from({ length: n }, freshId);
}

/** A fixed instant with a non-zero microsecond part, so truncation to milliseconds would show. */
const T0 = 1_732_400_000_123_457n;
const at = (k: number): bigint => T0 + BigInt(k) * 1_000_003n;

async function collectAll(repo: GraphReadRepository, list: EdgeList, limit: number): Promise<{ pages: ListedEdge[][] }> {
  const pages: ListedEdge[][] = [];
  let after = null;
  for (let guard = 0; guard < 1000; guard++) {
    const slice = await repo.listEdges(list, { limit, after });
    pages.push(slice.items);
    if (!slice.next) break;
    expect(slice.items.length).toBe(limit);
    after = slice.next;
  }
  return { pages };
}

/**
 * The behaviour every GraphReadRepository must have, run against the in-memory fake (unit) and the
 * Postgres adapter (integration), so the fake the use-case tests rely on stays honest.
 */
export function describeGraphReadRepositoryContract(name: string, makeFixture: () => Promise<GraphReadFixture>): void {
  describe(`GraphReadRepository contract: ${name}`, () => {
    let f: GraphReadFixture;
    beforeAll(async () => {
      f = await makeFixture();
    });

    describe('getSettings', () => {
      it('is public with default policies by default, and gives what was set', async () => {
        const [pub, priv, picky] = ids(3);
        await f.seed({ privateUsers: [priv!, picky!], policies: [{ userId: picky!, followingVisibility: 'private', hideCounts: true, requestTtlDays: 7 }] });
        expect(await f.repo.getSettings(pub!)).toEqual(DEFAULT_USER_SETTINGS);
        expect(await f.repo.getSettings(priv!)).toEqual({ ...DEFAULT_USER_SETTINGS, isPrivate: true });
        for (const attempt of ['first', 'cached']) {
          expect({ attempt, settings: await f.repo.getSettings(picky!) }).toEqual({
            attempt,
            settings: { ...DEFAULT_USER_SETTINGS, isPrivate: true, followingVisibility: 'private', hideCounts: true, requestTtlDays: 7 },
          });
        }
      });
    });

    describe('getRelationships', () => {
      it('answers every flag from the viewer side, in the order asked, duplicates repeated', async () => {
        const [me, followed, follower, mutual, requested, requester, blocked, blocker, rejected, stranger] = ids(10);
        await f.seed({
          edges: [
            { follower: me!, following: followed!, status: 'accepted' },
            { follower: follower!, following: me!, status: 'accepted' },
            { follower: me!, following: mutual!, status: 'accepted' },
            { follower: mutual!, following: me!, status: 'accepted' },
            { follower: me!, following: requested!, status: 'pending' },
            { follower: requester!, following: me!, status: 'pending' },
            { follower: me!, following: rejected!, status: 'rejected' },
          ],
          blocks: [
            { blocker: me!, blocked: blocked! },
            { blocker: blocker!, blocked: me! },
          ],
        });
        const asked = [stranger!, followed!, follower!, mutual!, requested!, requester!, blocked!, blocker!, rejected!, followed!, me!];
        const rels = await f.repo.getRelationships(me!, asked);
        expect(rels.map((r) => r.userId)).toEqual(asked);
        const by = (i: number) => rels[i]!;
        expect(by(0)).toMatchObject({ relationship: 'none', following: false, followedBy: false, requested: false, requestedBy: false, blocking: false, blockedBy: false });
        expect(by(1)).toMatchObject({ relationship: 'following', following: true, followedBy: false, mutual: false });
        expect(by(2)).toMatchObject({ relationship: 'followed_by', following: false, followedBy: true });
        expect(by(3)).toMatchObject({ relationship: 'mutual', following: true, followedBy: true, mutual: true });
        expect(by(4)).toMatchObject({ relationship: 'requested', requested: true, following: false });
        expect(by(5)).toMatchObject({ relationship: 'none', requestedBy: true });
        expect(by(6)).toMatchObject({ relationship: 'blocked', blocking: true, blockedBy: false });
        expect(by(7)).toMatchObject({ relationship: 'blocked', blocking: false, blockedBy: true });
        // A rejected request is invisible.
        expect(by(8)).toMatchObject({ relationship: 'none', requested: false, following: false });
        expect(by(9)).toEqual(by(1));
        expect(by(10)).toMatchObject({ relationship: 'none', following: false, followedBy: false, blocking: false });
      });
    });

    describe('follow options in relationships and notify subscribers', () => {
      it("shows the options of the viewer's own follow or request only", async () => {
        const [me, notified, plain, requested, follower] = ids(5);
        await f.seed({
          edges: [
            { follower: me!, following: notified!, status: 'accepted', notify: true },
            { follower: me!, following: plain!, status: 'accepted' },
            { follower: me!, following: requested!, status: 'pending', notify: true },
            { follower: follower!, following: me!, status: 'accepted', notify: true },
          ],
        });
        const rels = await f.repo.getRelationships(me!, [notified!, plain!, requested!, follower!]);
        expect(rels.map((r) => [r.notifying, r.showingReposts, r.languages])).toEqual([
          [true, true, null],
          [false, true, null],
          [true, true, null],
          [false, false, null],
        ]);
      });

      it('lists the accepted followers who asked to be notified, newest first by keyset, with their count', async () => {
        const [star, n1, n2, n3, quiet, asking] = ids(6);
        await f.seed({
          privateUsers: [],
          edges: [
            { follower: n1!, following: star!, status: 'accepted', notify: true, createdAtUs: at(1) },
            { follower: quiet!, following: star!, status: 'accepted', createdAtUs: at(2) },
            { follower: n2!, following: star!, status: 'accepted', notify: true, createdAtUs: at(3) },
            { follower: asking!, following: star!, status: 'pending', notify: true, createdAtUs: at(4) },
            { follower: n3!, following: star!, status: 'accepted', notify: true, createdAtUs: at(5) },
          ],
        });
        const list: EdgeList = { kind: 'notify_subscribers', userId: star! };
        const { pages } = await collectAll(f.repo, list, 2);
        expect(pages.map((p) => p.map((e) => e.userId))).toEqual([[n3, n2], [n1]]);
        expect(await f.repo.countEdges(list)).toBe(3);
      });
    });

    describe('getStats', () => {
      it('counts accepted followers and followings and pending requests, rejected nowhere; unknown users zero', async () => {
        const [a, b, c, d, unknown] = ids(5);
        await f.seed({
          edges: [
            { follower: b!, following: a!, status: 'accepted' },
            { follower: c!, following: a!, status: 'accepted' },
            { follower: d!, following: a!, status: 'pending' },
            { follower: a!, following: b!, status: 'accepted' },
            { follower: a!, following: c!, status: 'pending' },
            { follower: a!, following: d!, status: 'rejected' },
            { follower: b!, following: d!, status: 'rejected' },
          ],
        });
        const stats = await f.repo.getStats([a!, unknown!, d!, a!]);
        expect(stats).toEqual([
          { userId: a, followerCount: 2, followingCount: 1, pendingRequestsCount: 1 },
          { userId: unknown, followerCount: 0, followingCount: 0, pendingRequestsCount: 0 },
          { userId: d, followerCount: 0, followingCount: 0, pendingRequestsCount: 0 },
          { userId: a, followerCount: 2, followingCount: 1, pendingRequestsCount: 1 },
        ]);
      });
    });

    describe('listEdges and countEdges', () => {
      it('pages followers newest first, ties broken by the larger id, exact to the microsecond', async () => {
        const owner = freshId();
        const fs = ids(7);
        // fs[1] and fs[2] share an instant; fs[3] is one microsecond later than fs[4].
        const times = [at(1), at(2), at(2), at(3) + 1n, at(3), at(4), at(5)];
        await f.seed({
          edges: [
            ...fs.map((u, i) => ({ follower: u, following: owner, status: 'accepted' as const, createdAtUs: times[i] })),
            { follower: freshId(), following: owner, status: 'pending' },
            { follower: freshId(), following: owner, status: 'rejected' },
          ],
        });
        const list: EdgeList = { kind: 'followers', userId: owner };
        const expected = [fs[6], fs[5], fs[3], fs[4], fs[2], fs[1], fs[0]];
        for (const limit of [1, 2, 3, 7, 100]) {
          const { pages } = await collectAll(f.repo, list, limit);
          expect(pages.flat().map((e) => e.userId)).toEqual(expected);
          expect(pages.length).toBe(Math.max(1, Math.ceil(7 / limit)));
        }
        const first = await f.repo.listEdges(list, { limit: 3, after: null });
        expect(first.next).toEqual({ createdAtUs: (at(3) + 1n).toString(), userId: fs[3] });
        expect(first.items[0]!.createdAt.getTime()).toBe(Number(at(5) / 1000n));
        expect(await f.repo.countEdges(list)).toBe(7);
      });

      it('gives an empty last page and no cursor for an empty list', async () => {
        const list: EdgeList = { kind: 'followers', userId: freshId() };
        expect(await f.repo.listEdges(list, { limit: 5, after: null })).toEqual({ items: [], next: null });
        expect(await f.repo.countEdges(list)).toBe(0);
      });

      it('lists following, incoming and outgoing requests and blocks of their owner only', async () => {
        const [me, x, y, z, w] = ids(5);
        await f.seed({
          edges: [
            { follower: me!, following: x!, status: 'accepted', createdAtUs: at(1) },
            { follower: me!, following: y!, status: 'accepted', createdAtUs: at(2) },
            { follower: me!, following: z!, status: 'pending', createdAtUs: at(3) },
            { follower: me!, following: w!, status: 'rejected', createdAtUs: at(4) },
            { follower: x!, following: me!, status: 'pending', createdAtUs: at(5) },
            { follower: w!, following: me!, status: 'pending', createdAtUs: at(6) },
            { follower: y!, following: me!, status: 'rejected', createdAtUs: at(7) },
            { follower: x!, following: y!, status: 'accepted', createdAtUs: at(8) },
          ],
          blocks: [
            { blocker: me!, blocked: z!, createdAtUs: at(9) },
            { blocker: me!, blocked: w!, createdAtUs: at(10) },
            { blocker: x!, blocked: me!, createdAtUs: at(11) },
          ],
        });
        const cases: [EdgeList, UserId[]][] = [
          [{ kind: 'following', userId: me! }, [y!, x!]],
          [{ kind: 'outgoing_requests', userId: me! }, [z!]],
          [{ kind: 'incoming_requests', userId: me! }, [w!, x!]],
          [{ kind: 'blocks', userId: me! }, [w!, z!]],
          [{ kind: 'followers', userId: me! }, []],
        ];
        for (const [list, expected] of cases) {
          const { pages } = await collectAll(f.repo, list, 1);
          expect({ list, ids: pages.flat().map((e) => e.userId) }).toEqual({ list, ids: expected });
          expect({ list, total: await f.repo.countEdges(list) }).toEqual({ list, total: expected.length });
        }
        const blocks = await f.repo.listEdges({ kind: 'blocks', userId: me! }, { limit: 10, after: null });
        expect(blocks.items[0]!.createdAt.getTime()).toBe(Number(at(10) / 1000n));
      });

      it('lists common followers, known followers and mutuals ordered by the edge to the (first) user', async () => {
        const [a, b, viewer, u1, u2, u3, u4, u5] = ids(8);
        await f.seed({
          edges: [
            // followers of a: u1..u5 (u5 newest); of b: u2, u4, u5 (u5 only pending), viewer
            ...[u1, u2, u3, u4, u5].map((u, i) => ({ follower: u!, following: a!, status: 'accepted' as const, createdAtUs: at(10 + i) })),
            { follower: u2!, following: b!, status: 'accepted', createdAtUs: at(30) },
            { follower: u4!, following: b!, status: 'accepted', createdAtUs: at(1) },
            { follower: u5!, following: b!, status: 'pending', createdAtUs: at(2) },
            { follower: viewer!, following: b!, status: 'accepted', createdAtUs: at(3) },
            // the viewer follows u1, u3 and u5 (u5 rejected) and a
            { follower: viewer!, following: u1!, status: 'accepted' },
            { follower: viewer!, following: u3!, status: 'accepted' },
            { follower: viewer!, following: u5!, status: 'rejected' },
            // a follows back u2, u3 (accepted) and u4 (pending)
            { follower: a!, following: u2!, status: 'accepted' },
            { follower: a!, following: u3!, status: 'accepted' },
            { follower: a!, following: u4!, status: 'pending' },
          ],
        });
        const cases: [EdgeList, UserId[]][] = [
          [{ kind: 'common_followers', userA: a!, userB: b! }, [u4!, u2!]],
          [{ kind: 'common_followers', userA: b!, userB: a! }, [u2!, u4!]],
          [{ kind: 'known_followers', viewerId: viewer!, userId: a! }, [u3!, u1!]],
          [{ kind: 'known_followers', viewerId: u2!, userId: a! }, []],
          [{ kind: 'mutuals', userId: a! }, [u3!, u2!]],
          [{ kind: 'mutuals', userId: b! }, []],
        ];
        for (const [list, expected] of cases) {
          for (const limit of [1, 2, 10]) {
            const { pages } = await collectAll(f.repo, list, limit);
            expect({ list, limit, ids: pages.flat().map((e) => e.userId) }).toEqual({ list, limit, ids: expected });
          }
          expect({ list, total: await f.repo.countEdges(list) }).toEqual({ list, total: expected.length });
        }
      });
    });

    describe('readListPage', () => {
      it('gives the page exactly as listEdges and the total as countEdges when visible, at any position', async () => {
        const [owner, viewer] = ids(2);
        const fans = ids(5);
        const followed = ids(3);
        await f.seed({
          edges: [
            ...fans.map((u, i) => ({ follower: u, following: owner!, status: 'accepted' as const, createdAtUs: at(i) })),
            { follower: freshId(), following: owner!, status: 'pending' },
            ...followed.map((u, i) => ({ follower: owner!, following: u, status: 'accepted' as const, createdAtUs: at(10 + i) })),
            // the owner follows back fans[1] and fans[3]; the viewer follows fans[3] and fans[4]
            { follower: owner!, following: fans[1]!, status: 'accepted', createdAtUs: at(20) },
            { follower: owner!, following: fans[3]!, status: 'accepted', createdAtUs: at(21) },
            { follower: viewer!, following: fans[3]!, status: 'accepted' },
            { follower: viewer!, following: fans[4]!, status: 'accepted' },
          ],
          // the viewer's own block of the owner hides nothing from the viewer
          blocks: [{ blocker: viewer!, blocked: owner! }],
        });
        const lists: OwnedEdgeList[] = [
          { kind: 'followers', userId: owner! },
          { kind: 'following', userId: owner! },
          { kind: 'mutuals', userId: owner! },
          { kind: 'known_followers', viewerId: viewer!, userId: owner! },
        ];
        for (const list of lists) {
          for (const who of [viewer!, owner!]) {
            let after = null;
            for (let guard = 0; guard < 10; guard++) {
              const expected = await f.repo.listEdges(list, { limit: 2, after });
              const read = await f.repo.readListPage(who, list, { limit: 2, after });
              expect({ list, who, read }).toEqual({ list, who, read: { access: 'ok', slice: expected, total: await f.repo.countEdges(list) } });
              if (!expected.next) break;
              after = expected.next;
            }
          }
        }
        expect(await f.repo.readListPage(viewer!, { kind: 'followers', userId: owner! }, { limit: 100, after: null })).toMatchObject({ access: 'ok', total: 5 });
      });

      it('is blocked when the owner blocks the viewer, private or not, follower or not', async () => {
        const [pub, priv, viewer, other] = ids(4);
        await f.seed({
          edges: [
            { follower: viewer!, following: pub!, status: 'accepted' },
            { follower: other!, following: pub!, status: 'accepted' },
          ],
          blocks: [
            { blocker: pub!, blocked: viewer! },
            { blocker: priv!, blocked: viewer! },
            { blocker: other!, blocked: pub! },
          ],
          privateUsers: [priv!],
        });
        for (const owner of [pub!, priv!]) {
          for (const kind of ['followers', 'following', 'mutuals'] as const) {
            expect(await f.repo.readListPage(viewer!, { kind, userId: owner }, { limit: 5, after: null })).toEqual({ access: 'blocked' });
          }
          expect(await f.repo.readListPage(viewer!, { kind: 'known_followers', viewerId: viewer!, userId: owner }, { limit: 5, after: null })).toEqual({
            access: 'blocked',
          });
        }
        // A block of someone else, or of the owner by the viewer's neighbour, does not matter.
        expect(await f.repo.readListPage(other!, { kind: 'followers', userId: pub! }, { limit: 5, after: null })).toMatchObject({ access: 'ok', total: 2 });
      });

      it('hides a private account from everyone but itself and its accepted followers', async () => {
        const [owner, fan, requester, rejected, stranger, followedByOwner] = ids(6);
        await f.seed({
          edges: [
            { follower: fan!, following: owner!, status: 'accepted' },
            { follower: requester!, following: owner!, status: 'pending' },
            { follower: rejected!, following: owner!, status: 'rejected' },
            { follower: owner!, following: followedByOwner!, status: 'accepted' },
          ],
          privateUsers: [owner!],
        });
        for (const kind of ['followers', 'following', 'mutuals'] as const) {
          const list: OwnedEdgeList = { kind, userId: owner! };
          for (const who of [requester!, rejected!, stranger!, followedByOwner!]) {
            expect({ kind, who, read: await f.repo.readListPage(who, list, { limit: 5, after: null }) }).toEqual({ kind, who, read: { access: 'private' } });
          }
          for (const who of [fan!, owner!]) {
            expect(await f.repo.readListPage(who, list, { limit: 5, after: null })).toEqual({
              access: 'ok',
              slice: await f.repo.listEdges(list, { limit: 5, after: null }),
              total: await f.repo.countEdges(list),
            });
          }
        }
      });

      it('agrees with listAccess for every combination of facts, on the first read and the cached one', async () => {
        type ViewerEdge = 'none' | StoredStatus;
        interface Combo {
          owner: UserId;
          viewer: UserId;
          ownerBlocksViewer: boolean;
          viewerBlocksOwner: boolean;
          ownerPrivate: boolean;
          edge: ViewerEdge;
          followersVisibility: ListVisibility;
          followingVisibility: ListVisibility;
        }
        const VISIBILITIES: ListVisibility[] = ['public', 'followers', 'private'];
        const combos: Combo[] = [];
        for (const ownerBlocksViewer of [false, true])
          for (const viewerBlocksOwner of [false, true])
            for (const ownerPrivate of [false, true])
              // A block removes the follows both ways, so an edge exists only without one.
              for (const edge of ownerBlocksViewer || viewerBlocksOwner ? (['none'] as const) : (['none', 'pending', 'accepted', 'rejected'] as const))
                for (const [v, followersVisibility] of VISIBILITIES.entries()) {
                  const [owner, viewer] = ids(2);
                  // The following list gets another visibility, so each list is seen to follow its own.
                  const followingVisibility = VISIBILITIES[(v + 1) % 3]!;
                  combos.push({ owner: owner!, viewer: viewer!, ownerBlocksViewer, viewerBlocksOwner, ownerPrivate, edge, followersVisibility, followingVisibility });
                }
        const fans = ids(combos.length);
        await f.seed({
          edges: combos.flatMap((c, i) => [
            { follower: fans[i]!, following: c.owner, status: 'accepted' as const },
            { follower: c.owner, following: fans[i]!, status: 'accepted' as const },
            ...(c.edge === 'none' ? [] : [{ follower: c.viewer, following: c.owner, status: c.edge }]),
          ]),
          blocks: combos.flatMap((c) => [
            ...(c.ownerBlocksViewer ? [{ blocker: c.owner, blocked: c.viewer }] : []),
            ...(c.viewerBlocksOwner ? [{ blocker: c.viewer, blocked: c.owner }] : []),
          ]),
          privateUsers: combos.filter((c) => c.ownerPrivate).map((c) => c.owner),
          policies: combos
            .filter((c) => c.followersVisibility !== 'public' || c.followingVisibility !== 'public')
            .map((c) => ({ userId: c.owner, followersVisibility: c.followersVisibility, followingVisibility: c.followingVisibility })),
        });
        for (const c of combos) {
          const settings = { ...DEFAULT_USER_SETTINGS, isPrivate: c.ownerPrivate, followersVisibility: c.followersVisibility, followingVisibility: c.followingVisibility };
          for (const kind of ['followers', 'following', 'mutuals'] as const) {
            const facts = { blockedByOwner: c.ownerBlocksViewer, ownerPrivate: c.ownerPrivate, visibility: listVisibilityOf(settings, kind) };
            const expected = listAccess({ ...facts, self: false, acceptedFollower: c.edge === 'accepted' });
            const list: OwnedEdgeList = { kind, userId: c.owner };
            for (const attempt of ['first', 'cached'] as const) {
              const read = await f.repo.readListPage(c.viewer, list, { limit: 5, after: null });
              expect({ ...c, kind, attempt, access: read.access }).toEqual({ ...c, kind, attempt, access: expected });
            }
            expect((await f.repo.readListPage(c.owner, list, { limit: 5, after: null })).access).toBe(listAccess({ ...facts, self: true, acceptedFollower: false }));
          }
          expect(await f.repo.getSettings(c.owner)).toEqual(settings);
        }
      });

      it('still checks blocks one by one for an owner that blocks more accounts than a cache keeps in one entry', async () => {
        const [owner, blockedViewer, viewer, fan] = ids(4);
        await f.seed({
          edges: [{ follower: fan!, following: owner!, status: 'accepted' }],
          blocks: [...ids(1001).map((b) => ({ blocker: owner!, blocked: b })), { blocker: owner!, blocked: blockedViewer! }],
        });
        const list: OwnedEdgeList = { kind: 'followers', userId: owner! };
        expect(await f.repo.readListPage(blockedViewer!, list, { limit: 5, after: null })).toEqual({ access: 'blocked' });
        expect(await f.repo.readListPage(viewer!, list, { limit: 5, after: null })).toMatchObject({ access: 'ok', total: 1 });
        expect(await f.repo.readListPage(blockedViewer!, list, { limit: 5, after: null })).toEqual({ access: 'blocked' });
      });
    });

    describe('listEdgeDetails', () => {
      it('pages edges with created_at and options, within a time window, at the same positions as listEdges', async () => {
        const [star, f1, f2, f3, f4, pending] = ids(6);
        await f.seed({
          edges: [
            { follower: f1!, following: star!, status: 'accepted', createdAtUs: at(1) },
            { follower: f2!, following: star!, status: 'accepted', notify: true, createdAtUs: at(2) },
            { follower: f3!, following: star!, status: 'accepted', createdAtUs: at(3) },
            { follower: pending!, following: star!, status: 'pending', createdAtUs: at(4) },
            { follower: f4!, following: star!, status: 'accepted', notify: true, createdAtUs: at(5) },
          ],
        });
        const list = { kind: 'followers' as const, userId: star! };
        const open = { since: null, until: null };
        const first = await f.repo.listEdgeDetails(list, { limit: 2, after: null }, open);
        expect(first.items.map((e) => [e.userId, e.createdAtUs, e.options.notify])).toEqual([
          [f4, at(5).toString(), true],
          [f3, at(3).toString(), false],
        ]);
        expect(first.items[0]!.options).toEqual({ notify: true, reposts: true, languages: null });
        expect(first.next).toEqual((await f.repo.listEdges(list, { limit: 2, after: null })).next);
        const rest = await f.repo.listEdgeDetails(list, { limit: 2, after: first.next }, open);
        expect(rest.items.map((e) => e.userId)).toEqual([f2, f1]);
        expect(rest.next).toBeNull();
        // since is inclusive, until exclusive (to the millisecond a Date holds).
        const ms = (k: number) => new Date(Number(at(k) / 1000n));
        const windowed = await f.repo.listEdgeDetails(list, { limit: 10, after: null }, { since: ms(2), until: ms(5) });
        expect(windowed.items.map((e) => e.userId)).toEqual([f3, f2]);
        const notified = await f.repo.listEdgeDetails({ kind: 'notify_subscribers', userId: star! }, { limit: 10, after: null }, { since: ms(3), until: null });
        expect(notified.items.map((e) => e.userId)).toEqual([f4]);
        const following = await f.repo.listEdgeDetails({ kind: 'following', userId: f2! }, { limit: 10, after: null }, open);
        expect(following.items).toEqual([expect.objectContaining({ userId: star, options: { notify: true, reposts: true, languages: null } })]);
      });
    });

    describe('listPageSources', () => {
      it('gives each part asked exactly as getSettings, listEdges and getStats do, and nothing else', async () => {
        const [owner, plain, a, b, c, d, x, y] = ids(8);
        await f.seed({
          privateUsers: [owner!],
          policies: [{ userId: owner!, followersVisibility: 'followers', hideCounts: true }],
          edges: [
            { follower: a!, following: owner!, status: 'accepted', createdAtUs: at(1) },
            { follower: b!, following: owner!, status: 'accepted', createdAtUs: at(2) },
            { follower: c!, following: owner!, status: 'pending', createdAtUs: at(3) },
            { follower: d!, following: owner!, status: 'accepted', createdAtUs: at(3) },
            { follower: owner!, following: a!, status: 'accepted', createdAtUs: at(4) },
          ],
          blocks: [
            { blocker: owner!, blocked: x!, createdAtUs: at(5) },
            { blocker: owner!, blocked: y!, createdAtUs: at(5) },
          ],
        });
        for (const kind of ['followers', 'following'] as const) {
          for (const limit of [1, 2, 5]) {
            const list = { kind, userId: owner! };
            expect(await f.repo.listPageSources(list, { settings: true, blocks: limit, stats: true, head: limit })).toEqual({
              settings: await f.repo.getSettings(owner!),
              blocks: await f.repo.listEdges({ kind: 'blocks', userId: owner! }, { limit, after: null }),
              stats: (await f.repo.getStats([owner!]))[0],
              head: await f.repo.listEdges(list, { limit, after: null }),
            });
          }
        }
        expect(await f.repo.listPageSources({ kind: 'followers', userId: plain! }, { settings: true, blocks: 3, stats: true, head: 3 })).toEqual({
          settings: DEFAULT_USER_SETTINGS,
          blocks: { items: [], next: null },
          stats: { userId: plain, followerCount: 0, followingCount: 0, pendingRequestsCount: 0 },
          head: { items: [], next: null },
        });
        expect(await f.repo.listPageSources({ kind: 'followers', userId: owner! }, { settings: false, blocks: null, stats: true, head: null })).toEqual({
          stats: { userId: owner, followerCount: 3, followingCount: 1, pendingRequestsCount: 1 },
        });
      });
    });

    describe('knownFollowersOf', () => {
      it('counts, per target in order, the viewer\'s followings that follow it, with the newest few', async () => {
        const [me, t1, t2, t3, k1, k2, k3, k4, stranger] = ids(9);
        await f.seed({
          edges: [
            ...[k1, k2, k3, k4].map((k) => ({ follower: me!, following: k!, status: 'accepted' as const })),
            { follower: k1!, following: t1!, status: 'accepted', createdAtUs: at(1) },
            { follower: k2!, following: t1!, status: 'accepted', createdAtUs: at(2) },
            { follower: k3!, following: t1!, status: 'accepted', createdAtUs: at(3) },
            { follower: k4!, following: t1!, status: 'accepted', createdAtUs: at(4) },
            { follower: stranger!, following: t1!, status: 'accepted', createdAtUs: at(5) },
            { follower: k2!, following: t2!, status: 'pending', createdAtUs: at(6) },
            { follower: k3!, following: t2!, status: 'accepted', createdAtUs: at(7) },
          ],
        });
        expect(await f.repo.knownFollowersOf(me!, [t1!, t2!, t3!, t1!], 3)).toEqual([
          { userId: t1, count: 4, sampleIds: [k4, k3, k2] },
          { userId: t2, count: 1, sampleIds: [k3] },
          { userId: t3, count: 0, sampleIds: [] },
          { userId: t1, count: 4, sampleIds: [k4, k3, k2] },
        ]);
        expect(await f.repo.knownFollowersOf(me!, [], 3)).toEqual([]);
      });
    });

    describe('sampleKnownFollowers', () => {
      it('gives exactly the samples of knownFollowersOf, whether the viewer follows a few accounts or hundreds, and the target is small, dense or sparse in them', async () => {
        const [few, many, dense, sparse, small, none, pendingOnly] = ids(7);
        const followed = ids(250);
        const strangers = ids(300);
        const accepted = (follower: UserId, following: UserId, k: number) => ({ follower, following, status: 'accepted' as const, createdAtUs: at(k) });
        await f.seed({
          edges: [
            ...followed.map((k, i) => accepted(many!, k, i)),
            ...followed.slice(0, 3).map((k, i) => accepted(few!, k, i)),
            // dense: every other newest follower is one the viewer follows
            ...followed.slice(0, 120).flatMap((k, i) => [accepted(k, dense!, 1000 + 2 * i), accepted(strangers[i]!, dense!, 1001 + 2 * i)]),
            // sparse: 300 newer followers the viewer does not follow, two old ones it does
            ...strangers.map((x, i) => accepted(x, sparse!, 2000 + i)),
            accepted(followed[0]!, sparse!, 1500),
            accepted(followed[1]!, sparse!, 1501),
            accepted(followed[2]!, small!, 3000),
            accepted(strangers[0]!, small!, 3001),
            { follower: followed[4]!, following: pendingOnly!, status: 'pending', createdAtUs: at(3100) },
          ],
        });
        const targets = [dense!, sparse!, small!, none!, pendingOnly!, dense!];
        for (const viewer of [many!, few!]) {
          const known = await f.repo.knownFollowersOf(viewer, targets, 3);
          expect(await f.repo.sampleKnownFollowers(viewer, targets, 3)).toEqual(known.map((k) => k.sampleIds));
        }
        expect(await f.repo.sampleKnownFollowers(many!, targets, 3)).toEqual([
          [followed[119], followed[118], followed[117]],
          [followed[1], followed[0]],
          [followed[2]],
          [],
          [],
          [followed[119], followed[118], followed[117]],
        ]);
        expect(await f.repo.sampleKnownFollowers(few!, [dense!, sparse!], 2)).toEqual([
          [followed[2], followed[1]],
          [followed[1], followed[0]],
        ]);
        expect(await f.repo.sampleKnownFollowers(many!, [], 3)).toEqual([]);
      });
    });

    describe('blockExists', () => {
      it('says for each pair, in order, whether either blocks the other', async () => {
        const [a, b, c, d] = ids(4);
        await f.seed({ blocks: [{ blocker: a!, blocked: b! }], edges: [{ follower: c!, following: d!, status: 'accepted' }] });
        expect(await f.repo.blockExists([[a!, b!], [b!, a!], [c!, d!], [a!, c!], [b!, a!]])).toEqual([true, true, false, false, true]);
        expect(await f.repo.blockExists([])).toEqual([]);
      });
    });

    describe('filterFollowed', () => {
      it('keeps the accepted followings among the candidates, in the order given', async () => {
        const [me, a, b, c, d, e] = ids(6);
        await f.seed({
          edges: [
            { follower: me!, following: a!, status: 'accepted' },
            { follower: me!, following: b!, status: 'pending' },
            { follower: me!, following: c!, status: 'rejected' },
            { follower: me!, following: d!, status: 'accepted' },
            { follower: e!, following: me!, status: 'accepted' },
          ],
        });
        expect(await f.repo.filterFollowed(me!, [e!, d!, c!, b!, a!, me!])).toEqual([d, a]);
        expect(await f.repo.filterFollowed(me!, [])).toEqual([]);
      });
    });

    describe('getRecommendations', () => {
      const wide = { recentFollowings: 1000, perFollowing: 1000 };
      /**
       * The suggestions without their samples: an implementation may give `sampleMutualIds` with
       * some (the cache does, for the first ones), and those must be what sampleKnownFollowers says.
       */
      const recommendations = async (...args: Parameters<GraphReadRepository['getRecommendations']>) => {
        const recs = await f.repo.getRecommendations(...args);
        for (const r of recs.filter((r) => r.sampleMutualIds)) {
          expect({ suggested: r.userId, samples: r.sampleMutualIds }).toEqual({ suggested: r.userId, samples: (await f.repo.sampleKnownFollowers(args[0], [r.userId], GRAPH_LIMITS.knownFollowersSample))[0] });
        }
        return recs.map(({ userId, mutualCount }) => ({ userId, mutualCount }));
      };

      it('ranks friends of friends by how many followings follow them, ties by the smaller id, with the exclusions', async () => {
        const [me, f1, f2, f3, c1, c2, c3, pendingTarget, rejectedTarget, blockedByMe, blockingMe, requestedMe] = ids(12);
        const everyoneFollows = [c1!, c2!, c3!, pendingTarget!, rejectedTarget!, blockedByMe!, blockingMe!, requestedMe!, me!];
        await f.seed({
          edges: [
            { follower: me!, following: f1!, status: 'accepted' },
            { follower: me!, following: f2!, status: 'accepted' },
            { follower: me!, following: f3!, status: 'accepted' },
            { follower: me!, following: pendingTarget!, status: 'pending' },
            { follower: me!, following: rejectedTarget!, status: 'rejected' },
            { follower: requestedMe!, following: me!, status: 'pending' },
            // f1 and f2 follow everything; f3 follows c3 only and f1 (already followed by me)
            ...everyoneFollows.flatMap((t) => [
              { follower: f1!, following: t, status: 'accepted' as const },
              { follower: f2!, following: t, status: 'accepted' as const },
            ]),
            { follower: f3!, following: c3!, status: 'accepted' },
            { follower: f3!, following: f1!, status: 'accepted' },
            // pending or rejected edges of my followings do not count
            { follower: f3!, following: c2!, status: 'pending' },
            { follower: f3!, following: c1!, status: 'rejected' },
          ],
          blocks: [
            { blocker: me!, blocked: blockedByMe! },
            { blocker: blockingMe!, blocked: me! },
          ],
        });
        const recs = await recommendations(me!, 10, wide);
        expect(recs).toEqual([
          { userId: c3, mutualCount: 3 },
          { userId: c1, mutualCount: 2 },
          { userId: c2, mutualCount: 2 },
          { userId: rejectedTarget, mutualCount: 2 },
          { userId: requestedMe, mutualCount: 2 },
        ]);
        expect(await recommendations(me!, 2, wide)).toEqual(recs.slice(0, 2));
        expect(await recommendations(freshId(), 10, wide)).toEqual([]);
      });

      it('explores only the most recent followings, and only the most recent followings of each', async () => {
        const [me, oldF, newF, x, y, z] = ids(6);
        await f.seed({
          edges: [
            { follower: me!, following: oldF!, status: 'accepted', createdAtUs: at(1) },
            { follower: me!, following: newF!, status: 'accepted', createdAtUs: at(2) },
            { follower: oldF!, following: x!, status: 'accepted', createdAtUs: at(3) },
            { follower: newF!, following: y!, status: 'accepted', createdAtUs: at(4) },
            { follower: newF!, following: z!, status: 'accepted', createdAtUs: at(5) },
          ],
        });
        expect(await recommendations(me!, 10, { recentFollowings: 1, perFollowing: 10 })).toEqual([
          { userId: y, mutualCount: 1 },
          { userId: z, mutualCount: 1 },
        ]);
        expect(await recommendations(me!, 10, { recentFollowings: 1, perFollowing: 1 })).toEqual([{ userId: z, mutualCount: 1 }]);
        expect((await recommendations(me!, 10, wide)).map((r) => r.userId)).toEqual([x, y, z]);
      });

      it('leaves out the accounts the user dismissed, and only for that user', async () => {
        const [me, other, f1, x, y] = ids(5);
        await f.seed({
          edges: [
            { follower: me!, following: f1!, status: 'accepted' },
            { follower: other!, following: f1!, status: 'accepted' },
            { follower: f1!, following: x!, status: 'accepted' },
            { follower: f1!, following: y!, status: 'accepted' },
          ],
          dismissals: [{ user: me!, dismissed: x! }],
        });
        expect(await recommendations(me!, 10, wide)).toEqual([{ userId: y, mutualCount: 1 }]);
        expect((await recommendations(other!, 10, wide)).map((r) => r.userId)).toEqual([x, y]);
      });

      it('relative to X: counts what the newest followers of X follow, without X, self, followed, requested, blocked or dismissed', async () => {
        const [me, x, fanOld, fanNew, c1, c2, c3, followed, requested, blocked, dismissed] = ids(11);
        const fanFollows = [c1!, c2!, followed!, requested!, blocked!, dismissed!, me!];
        await f.seed({
          edges: [
            { follower: fanOld!, following: x!, status: 'accepted', createdAtUs: at(1) },
            { follower: fanNew!, following: x!, status: 'accepted', createdAtUs: at(2) },
            { follower: c3!, following: x!, status: 'pending', createdAtUs: at(3) }, // a request is not a follower
            ...fanFollows.map((t) => ({ follower: fanNew!, following: t, status: 'accepted' as const })),
            { follower: fanOld!, following: c2!, status: 'accepted' },
            { follower: c3!, following: c1!, status: 'accepted' },
            { follower: me!, following: followed!, status: 'accepted' },
            { follower: me!, following: requested!, status: 'pending' },
          ],
          blocks: [{ blocker: blocked!, blocked: me! }],
          dismissals: [{ user: me!, dismissed: dismissed! }],
        });
        expect(await recommendations(me!, 10, wide, x!)).toEqual([
          { userId: c2, mutualCount: 2 },
          { userId: c1, mutualCount: 1 },
        ]);
        // Bounded like the plain query: only X's newest follower is a seed.
        expect(await recommendations(me!, 10, { recentFollowings: 1, perFollowing: 10 }, x!)).toEqual([
          { userId: c1, mutualCount: 1 },
          { userId: c2, mutualCount: 1 },
        ]);
        expect(await recommendations(me!, 10, wide, freshId())).toEqual([]);
      });
    });

    describe('mostFollowed', () => {
      it('orders users by follower count, most first', async () => {
        const [top, second, third] = ids(3);
        const fans = ids(6);
        await f.seed({
          edges: [
            ...fans.slice(0, 3).map((u) => ({ follower: u, following: top!, status: 'accepted' as const })),
            ...fans.slice(3, 5).map((u) => ({ follower: u, following: second!, status: 'accepted' as const })),
            { follower: fans[5]!, following: third!, status: 'accepted' },
            ...fans.map((u) => ({ follower: u, following: third!, status: 'pending' as const })).slice(0, 5),
          ],
        });
        const all = await f.repo.mostFollowed(100_000);
        expect(all.indexOf(top!)).toBeGreaterThanOrEqual(0);
        expect(all.indexOf(top!)).toBeLessThan(all.indexOf(second!));
        expect(all.indexOf(second!)).toBeLessThan(all.indexOf(third!));
        expect(new Set(all).size).toBe(all.length);
        const counts = (await f.repo.getStats(all)).map((s) => s.followerCount);
        expect(counts).toEqual([...counts].sort((p, q) => q - p));
        expect(counts.every((c) => c > 0)).toBe(true);
        expect(await f.repo.mostFollowed(1)).toEqual([all[0]]);
      });
    });
  });
}
