import { GraphEvent } from '../model/graph-event';
import { UserId } from '../model/user-id';
import { describeGraphWriteRepositoryContract } from './graph-write.repository.contract';
import { InMemoryGraphStore } from './in-memory-graph.store';
import { InMemoryGraphWriteRepository } from './in-memory-graph-write.repository';

let nextId = 1000n;

describeGraphWriteRepositoryContract('InMemoryGraphWriteRepository', {
  newUserId: () => (++nextId).toString() as UserId,
  async create() {
    const store = new InMemoryGraphStore();
    const repo = new InMemoryGraphWriteRepository(store);
    const counts = (userId: UserId) => {
      const edges = [...store.edges.values()];
      return {
        followers: edges.filter((e) => e.followingId === userId && e.status === 'accepted').length,
        following: edges.filter((e) => e.followerId === userId && e.status === 'accepted').length,
        pending: edges.filter((e) => e.followingId === userId && e.status === 'pending').length,
      };
    };
    return {
      repo,
      inspect: {
        edgeStatus: async (a, b) => store.edge(a, b)?.status ?? null,
        counts: async (userId) => counts(userId),
        events: async (...userIds: UserId[]) =>
          store.events.filter((e: GraphEvent) => userIds.length === 0 || userIds.includes(e.followerId) || userIds.includes(e.followingId)),
        isBlocked: async (a, b) => store.blocks.has(InMemoryGraphStore.pairKey(a, b)),
        isPrivate: async (userId) => store.privateUsers.has(userId),
        isDismissed: async (userId, dismissedId) => store.dismissals.has(InMemoryGraphStore.pairKey(userId, dismissedId)),
        followOptions: async (a, b) => store.edge(a, b)?.options ?? null,
        ageEdge: async (a, b, days) => {
          store.edge(a, b)!.createdAtUs -= BigInt(days) * 86_400_000_000n;
        },
        blockEvents: async (blockerId) => store.blockEvents.filter((e) => e.blockerId === blockerId),
      },
    };
  },
});
