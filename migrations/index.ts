import { InitialGraphSchema1764000000000 } from './1764000000000-initial-graph-schema';
import { OutboxRelay1764500000000 } from './1764500000000-outbox-relay';
import { GraphWriteFunctions1765000000000 } from './1765000000000-graph-write-functions';

/** Every migration, in order. Listed explicitly so the same list works from TypeScript and from dist/. */
export const GRAPH_MIGRATIONS = [InitialGraphSchema1764000000000, OutboxRelay1764500000000, GraphWriteFunctions1765000000000];
