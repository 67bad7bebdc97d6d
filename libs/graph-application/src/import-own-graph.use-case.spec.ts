import { UserId, parseUserId } from '@graph/domain';
import { codeOf } from '@graph/domain/testing/error-code';
import { InMemoryGraphReadRepository } from '@graph/domain/testing/in-memory-graph-read.repository';
import { InMemoryGraphWriteRepository } from '@graph/domain/testing/in-memory-graph-write.repository';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { InMemoryMuteRepository } from '@graph/domain/testing/in-memory-mute.repository';
import { InMemoryRateLimiter } from '@graph/domain/testing/in-memory-rate-limiter';
import { seedInMemoryGraph } from '@graph/domain/testing/seed-in-memory-graph';
import { BackgroundJobs, JobView } from './admin/background-jobs';
import { BlockUserUseCase } from './block-user.use-case';
import { FollowUserUseCase } from './follow-user.use-case';
import { GetOwnGraphImportUseCase } from './get-own-graph-import.use-case';
import { GraphPolicy } from './graph-policy';
import { FollowingCap, NO_FOLLOWING_CAP } from '@graph/domain';
import { IMPORT_MAX_ROWS, ImportOwnGraphUseCase, ImportRow } from './import-own-graph.use-case';
import { MuteUserUseCase } from './mute-user.use-case';
import { UnblockUserUseCase } from './unblock-user.use-case';
import { UnfollowUserUseCase } from './unfollow-user.use-case';
import { UnmuteUserUseCase } from './unmute-user.use-case';

const id = (n: number): UserId => parseUserId(n, 'id');
const me = id(1);
const rows = (...lines: string[][]): ImportRow[] => lines.map((fields, i) => ({ line: i + 2, fields }));

async function finished<J extends JobView>(job: J): Promise<J> {
  while (job.state === 'running') await new Promise((r) => setImmediate(r));
  return job;
}

describe('ImportOwnGraphUseCase', () => {
  let store: InMemoryGraphStore;
  let mutes: InMemoryMuteRepository;
  let imports: ImportOwnGraphUseCase;
  let status: GetOwnGraphImportUseCase;
  const build = (followLimit = 200, followingCap: FollowingCap = NO_FOLLOWING_CAP) => {
    store = new InMemoryGraphStore();
    mutes = new InMemoryMuteRepository();
    const writes = new InMemoryGraphWriteRepository(store);
    const policy: GraphPolicy = { followRateLimit: { limit: followLimit, windowSeconds: 3600 }, recommendations: { recentFollowings: 10, perFollowing: 10 }, followingCap };
    const jobs = new BackgroundJobs();
    imports = new ImportOwnGraphUseCase(
      jobs,
      new InMemoryGraphReadRepository(store),
      mutes,
      new FollowUserUseCase(writes, new InMemoryRateLimiter(), policy),
      new UnfollowUserUseCase(writes),
      new BlockUserUseCase(writes),
      new UnblockUserUseCase(writes),
      new MuteUserUseCase(mutes),
      new UnmuteUserUseCase(mutes),
    );
    status = new GetOwnGraphImportUseCase(jobs);
  };
  beforeEach(() => build());

  it('follows row by row with the options of the file; a bad row is a failure with its line and code, the rest go on', async () => {
    seedInMemoryGraph(store, { blocks: [{ blocker: id(6), blocked: me }] });
    const job = await finished(
      imports.execute({
        userId: me,
        list: 'following',
        mode: 'merge',
        rows: rows(['2', 'false', 'true', 'en, FR'], ['abc'], ['1'], ['3'], ['6'], ['4', 'maybe'], ['5', 'true', 'false', 'xx'], ['3']),
      }),
    );
    expect(job.state).toBe('succeeded');
    expect(job.progress).toEqual({ total: 8, processed: 8 });
    expect(job.result).toMatchObject({ applied: 2, unchanged: 1, failed: 5, removed: 0 });
    expect(job.result!.failures.map((f) => [f.line, f.code])).toEqual([
      [3, 'INVALID_USER_ID'],
      [4, 'SELF_FOLLOW'],
      [6, 'BLOCKED'],
      [7, 'VALIDATION_FAILED'],
      [8, 'VALIDATION_FAILED'],
    ]);
    expect(store.edge(me, id(2))).toMatchObject({ status: 'accepted', options: { notify: true, reposts: false, languages: ['en', 'fr'] } });
    expect(store.edge(me, id(3))?.status).toBe('accepted');
  });

  it('applies the follow rate limit per row: rows past it fail with RATE_LIMITED', async () => {
    build(2);
    const job = await finished(imports.execute({ userId: me, list: 'following', mode: 'merge', rows: rows(['2'], ['3'], ['4']) }));
    expect(job.result).toMatchObject({ applied: 2, failed: 1 });
    expect(job.result!.failures).toEqual([{ line: 4, code: 'RATE_LIMITED', message: expect.any(String) }]);
  });

  it('applies the following cap per row: rows past it fail with FOLLOW_LIMIT_REACHED, pending requests counted, the rest go on', async () => {
    build(200, { base: 3, permille: 1000 });
    seedInMemoryGraph(store, { edges: [{ follower: me, following: id(2), status: 'accepted' }], privateUsers: [id(4)] });
    const job = await finished(
      imports.execute({ userId: me, list: 'following', mode: 'merge', rows: rows(['3'], ['4'], ['5'], ['2', 'false'], ['6'], ['abc']) }),
    );
    // 2 followed, 3 followed, 4 requested: the cap of 3 is reached; 2 is a repeat (its options change), never refused.
    expect(job.result).toMatchObject({ applied: 3, unchanged: 0, failed: 3 });
    expect(job.result!.failures.map((f) => [f.line, f.code])).toEqual([
      [4, 'FOLLOW_LIMIT_REACHED'],
      [6, 'FOLLOW_LIMIT_REACHED'],
      [7, 'INVALID_USER_ID'],
    ]);
    expect(store.edge(me, id(4))?.status).toBe('pending');
    expect(store.edge(me, id(5))).toBeUndefined();
    expect(store.edge(me, id(2))?.options.reposts).toBe(false);
  });

  it('overwrite of following removes first, so an account at its cap can replace its list', async () => {
    build(200, { base: 2, permille: 1000 });
    seedInMemoryGraph(store, {
      edges: [
        { follower: me, following: id(7), status: 'accepted' },
        { follower: me, following: id(8), status: 'accepted' },
      ],
    });
    const job = await finished(imports.execute({ userId: me, list: 'following', mode: 'overwrite', rows: rows(['9'], ['10'], ['11']) }));
    expect(job.result).toMatchObject({ applied: 2, failed: 1, removed: 2 });
    expect(job.result!.failures.map((f) => [f.line, f.code])).toEqual([[4, 'FOLLOW_LIMIT_REACHED']]);
    expect([...store.edges.values()].filter((e) => e.followerId === me).map((e) => e.followingId).sort()).toEqual([id(10), id(9)].sort());
  });

  it('overwrite removes what the file does not list (blocks, mutes)', async () => {
    seedInMemoryGraph(store, { blocks: [{ blocker: me, blocked: id(7) }, { blocker: me, blocked: id(8) }] });
    const blocks = await finished(imports.execute({ userId: me, list: 'blocks', mode: 'overwrite', rows: rows(['8'], ['9'], ['1']) }));
    expect(blocks.result).toMatchObject({ applied: 1, unchanged: 1, failed: 1, removed: 1 });
    expect([...store.blocks.values()].map((b) => b.blockedId).sort()).toEqual([id(8), id(9)]);

    await mutes.mute(me, id(10), { notifications: true, scope: 'all', expiresAt: null });
    const muted = await finished(imports.execute({ userId: me, list: 'mutes', mode: 'overwrite', rows: rows(['11', 'false']) }));
    expect(muted.result).toMatchObject({ applied: 1, removed: 1 });
    expect(await mutes.getMutes(me, [id(10), id(11)])).toEqual([null, expect.objectContaining({ notifications: false })]);
  });

  it('refuses an unknown type or mode and more than 20,000 rows; a job is seen by its owner only', async () => {
    expect(await codeOf(Promise.resolve().then(() => imports.execute({ userId: me, list: 'lists' as never, mode: 'merge', rows: [] })))).toBe('VALIDATION_FAILED');
    expect(await codeOf(Promise.resolve().then(() => imports.execute({ userId: me, list: 'mutes', mode: 'replace' as never, rows: [] })))).toBe('VALIDATION_FAILED');
    const tooMany = Array.from({ length: IMPORT_MAX_ROWS + 1 }, (_, i) => ({ line: i + 1, fields: [String(100 + i)] }));
    expect(await codeOf(Promise.resolve().then(() => imports.execute({ userId: me, list: 'blocks', mode: 'merge', rows: tooMany })))).toBe('VALIDATION_FAILED');
    const job = await finished(imports.execute({ userId: me, list: 'blocks', mode: 'merge', rows: [] }));
    expect(status.execute({ userId: me, jobId: job.id }).id).toBe(job.id);
    expect(await codeOf(Promise.resolve().then(() => status.execute({ userId: id(2), jobId: job.id })))).toBe('NOT_FOUND');
  });
});
