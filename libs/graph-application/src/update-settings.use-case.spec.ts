import { GraphReadRepository, UserId } from '@graph/domain';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { InMemoryGraphWriteRepository } from '@graph/domain/testing/in-memory-graph-write.repository';
import { InMemoryMuteRepository } from '@graph/domain/testing/in-memory-mute.repository';
import { EraseUserUseCase } from './erase-user.use-case';
import { GetSettingsUseCase } from './get-settings.use-case';
import { UpdateSettingsUseCase } from './update-settings.use-case';

const [owner, fan] = ['1', '2'] as UserId[];

describe('settings and erasure', () => {
  let store: InMemoryGraphStore;
  let repo: InMemoryGraphWriteRepository;
  let getSettings: GetSettingsUseCase;
  let updateSettings: UpdateSettingsUseCase;

  beforeEach(() => {
    store = new InMemoryGraphStore();
    repo = new InMemoryGraphWriteRepository(store);
    // Only getSettings is needed here; the read side's own fake covers the rest of that port.
    const reader = { getSettings: async (userId: UserId) => ({ isPrivate: store.privateUsers.has(userId) }) } as GraphReadRepository;
    getSettings = new GetSettingsUseCase(reader);
    updateSettings = new UpdateSettingsUseCase(repo);
  });

  it('reads public by default, goes private, and going public accepts the waiting request', async () => {
    expect(await getSettings.execute({ userId: owner })).toEqual({ isPrivate: false });
    expect(await updateSettings.execute({ userId: owner, isPrivate: true })).toEqual({ isPrivate: true, changed: true, acceptedFollowerIds: [] });
    expect(await getSettings.execute({ userId: owner })).toEqual({ isPrivate: true });
    await repo.follow(fan, owner);
    expect(await updateSettings.execute({ userId: owner, isPrivate: false })).toEqual({ isPrivate: false, changed: true, acceptedFollowerIds: [fan] });
    expect(store.edge(fan, owner)?.status).toBe('accepted');
    expect(store.events.at(-1)).toEqual({ type: 'follow_request_accepted', followerId: fan, followingId: owner });
  });

  it('EraseUserUseCase removes the user from the graph and its mutes, and reports who was touched', async () => {
    const mutes = new InMemoryMuteRepository();
    await repo.follow(fan, owner);
    await repo.setPrivacy(owner, true);
    await mutes.mute(fan, owner, { notifications: true, scope: 'all', expiresAt: null });
    expect(await new EraseUserUseCase(repo, mutes).execute({ userId: owner })).toEqual({ affectedUserIds: [owner, fan], removedEdges: 1 });
    expect(await getSettings.execute({ userId: owner })).toEqual({ isPrivate: false });
    expect(store.edges.size).toBe(0);
    expect(mutes.mutes.size).toBe(0);
    expect(mutes.events.at(-1)).toEqual({ type: 'unmute', muterId: fan, mutedId: owner, reason: 'erased' });
  });
});
