import { InitialGraphSchema1764000000000 } from './1764000000000-initial-graph-schema';
import { OutboxRelay1764500000000 } from './1764500000000-outbox-relay';
import { GraphWriteFunctions1765000000000 } from './1765000000000-graph-write-functions';
import { Mutes1765200000000 } from './1765200000000-mutes';
import { FollowOptions1765300000000 } from './1765300000000-follow-options';
import { FollowWithOptions1765400000000 } from './1765400000000-follow-with-options';
import { AccountPolicies1765500000000 } from './1765500000000-account-policies';
import { FollowPolicies1765600000000 } from './1765600000000-follow-policies';
import { RecommendationDismissals1765700000000 } from './1765700000000-recommendation-dismissals';
import { CountsFunctionPlpgsql1765800000000 } from './1765800000000-counts-function-plpgsql';

/** Every migration, in order. Listed explicitly so the same list works from TypeScript and from dist/. */
export const GRAPH_MIGRATIONS = [
  InitialGraphSchema1764000000000,
  OutboxRelay1764500000000,
  GraphWriteFunctions1765000000000,
  Mutes1765200000000,
  FollowOptions1765300000000,
  FollowWithOptions1765400000000,
  AccountPolicies1765500000000,
  FollowPolicies1765600000000,
  RecommendationDismissals1765700000000,
  CountsFunctionPlpgsql1765800000000,
];
