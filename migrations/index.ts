import { InitialGraphSchema1764000000000 } from './1764000000000-initial-graph-schema';
import { OutboxRelay1764500000000 } from './1764500000000-outbox-relay';
import { Mutes1765000000000 } from './1765000000000-mutes';
import { FollowOptions1765100000000 } from './1765100000000-follow-options';

/** Every migration, in order. Listed explicitly so the same list works from TypeScript and from dist/. */
export const GRAPH_MIGRATIONS = [InitialGraphSchema1764000000000, OutboxRelay1764500000000, Mutes1765000000000, FollowOptions1765100000000];
