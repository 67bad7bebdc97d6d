import { UserId } from '../model/user-id';
import { InMemoryMuteRepository } from './in-memory-mute.repository';
import { describeMuteRepositoryContract } from './mute.repository.contract';

let nextId = 5000n;

describeMuteRepositoryContract('InMemoryMuteRepository', {
  newUserId: () => (++nextId).toString() as UserId,
  async create() {
    const repo = new InMemoryMuteRepository();
    return {
      repo,
      inspect: {
        events: async (muterId) => repo.events.filter((e) => e.muterId === muterId),
        stored: async (muterId, mutedId) => repo.mutes.has(`${muterId}>${mutedId}`),
      },
    };
  },
});
