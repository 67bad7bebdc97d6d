import { describeGraphReadRepositoryContract } from './graph-read.repository.contract';
import { InMemoryGraphReadRepository } from './in-memory-graph-read.repository';
import { InMemoryGraphStore } from './in-memory-graph.store';
import { seedInMemoryGraph } from './seed-in-memory-graph';

describeGraphReadRepositoryContract('in-memory fake', async () => {
  const store = new InMemoryGraphStore();
  return { repo: new InMemoryGraphReadRepository(store), seed: async (graph) => seedInMemoryGraph(store, graph) };
});
