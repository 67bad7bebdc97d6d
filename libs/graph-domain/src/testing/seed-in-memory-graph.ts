import { DEFAULT_FOLLOW_OPTIONS } from '../model/follow-options';
import { UserId } from '../model/user-id';
import { GraphSeed } from './graph-read.repository.contract';
import { InMemoryGraphStore } from './in-memory-graph.store';

/** Puts seeded rows straight into the store (what the Postgres fixture does with SQL). */
export function seedInMemoryGraph(store: InMemoryGraphStore, graph: GraphSeed): void {
  for (const e of graph.edges ?? []) {
    store.edges.set(InMemoryGraphStore.pairKey(e.follower, e.following), {
      followerId: e.follower,
      followingId: e.following,
      status: e.status,
      createdAtUs: e.createdAtUs ?? store.tick(),
      options: { ...DEFAULT_FOLLOW_OPTIONS, notify: e.notify ?? false },
    });
  }
  for (const b of graph.blocks ?? []) {
    store.blocks.set(InMemoryGraphStore.pairKey(b.blocker, b.blocked), {
      blockerId: b.blocker,
      blockedId: b.blocked,
      createdAtUs: b.createdAtUs ?? store.tick(),
    });
  }
  for (const u of graph.privateUsers ?? []) store.privateUsers.add(u as UserId);
  for (const d of graph.dismissals ?? []) store.dismissals.add(InMemoryGraphStore.pairKey(d.user, d.dismissed));
  for (const { userId, ...policies } of graph.policies ?? []) {
    const { isPrivate: _privacy, ...current } = store.settings(userId);
    store.policies.set(userId, { ...current, ...policies });
  }
}
