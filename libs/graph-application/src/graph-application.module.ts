import { DynamicModule, Module, Provider } from '@nestjs/common';
import { CursorCodec } from '@graph/domain';
import { BackgroundJobs } from './admin/background-jobs';
import { CheckCounterDriftUseCase } from './admin/check-counter-drift.use-case';
import { EvictUserCacheUseCase } from './admin/evict-user-cache.use-case';
import { GetCacheHitRatesUseCase } from './admin/get-cache-hit-rates.use-case';
import { GetCounterRepairUseCase } from './admin/get-counter-repair.use-case';
import { GetEdgeImportUseCase } from './admin/get-edge-import.use-case';
import { GetOutboxBacklogUseCase } from './admin/get-outbox-backlog.use-case';
import { ImportEdgesUseCase } from './admin/import-edges.use-case';
import { InvalidateCacheUseCase } from './admin/invalidate-cache.use-case';
import { RepairUserCountersUseCase } from './admin/repair-user-counters.use-case';
import { ReplayUserEventsUseCase } from './admin/replay-user-events.use-case';
import { ReportCounterDriftUseCase } from './admin/report-counter-drift.use-case';
import { RetryFailedEventsUseCase } from './admin/retry-failed-events.use-case';
import { StartCounterRepairUseCase } from './admin/start-counter-repair.use-case';
import { StartEdgeImportUseCase } from './admin/start-edge-import.use-case';
import { WarmCacheUseCase } from './admin/warm-cache.use-case';
import { BlockExistsUseCase } from './block-exists.use-case';
import { BlockUserUseCase } from './block-user.use-case';
import { EraseUserUseCase } from './erase-user.use-case';
import { FilterFollowedUseCase } from './filter-followed.use-case';
import { FollowUserUseCase } from './follow-user.use-case';
import { GetKnownFollowersUseCase } from './get-known-followers.use-case';
import { GetRecommendationsUseCase } from './get-recommendations.use-case';
import { DismissRecommendationUseCase } from './dismiss-recommendation.use-case';
import { ExportOwnGraphUseCase } from './export-own-graph.use-case';
import { GetOwnGraphImportUseCase } from './get-own-graph-import.use-case';
import { ImportOwnGraphUseCase } from './import-own-graph.use-case';
import { GetRelationshipsUseCase } from './get-relationships.use-case';
import { GetSettingsUseCase } from './get-settings.use-case';
import { GetStatsUseCase } from './get-stats.use-case';
import { GraphPolicy } from './graph-policy';
import { ListEdgesUseCase } from './list-edges.use-case';
import { ListMutesUseCase } from './list-mutes.use-case';
import { ListUserIdsUseCase } from './list-user-ids.use-case';
import { MuteUserUseCase } from './mute-user.use-case';
import { RemoveFollowerUseCase } from './remove-follower.use-case';
import { RespondToFollowRequestUseCase } from './respond-to-follow-request.use-case';
import { UnblockUserUseCase } from './unblock-user.use-case';
import { SweepExpiredMutesUseCase } from './sweep-expired-mutes.use-case';
import { SweepExpiredRequestsUseCase } from './sweep-expired-requests.use-case';
import { UnfollowUserUseCase } from './unfollow-user.use-case';
import { UnmuteUserUseCase } from './unmute-user.use-case';
import { UpdateSettingsUseCase } from './update-settings.use-case';
import { UpdateAccountSettingsUseCase } from './update-account-settings.use-case';

/** Every use case (one per file, each with execute(input)); add new ones here. */
const useCases: Provider[] = [
  // write side
  BlockUserUseCase,
  EraseUserUseCase,
  FollowUserUseCase,
  GetSettingsUseCase,
  RemoveFollowerUseCase,
  RespondToFollowRequestUseCase,
  UnblockUserUseCase,
  UnfollowUserUseCase,
  UpdateSettingsUseCase,
  UpdateAccountSettingsUseCase,
  MuteUserUseCase,
  UnmuteUserUseCase,
  SweepExpiredMutesUseCase,
  DismissRecommendationUseCase,
  ImportOwnGraphUseCase,
  GetOwnGraphImportUseCase,
  SweepExpiredRequestsUseCase,
  // read side
  ListEdgesUseCase,
  ListUserIdsUseCase,
  GetRelationshipsUseCase,
  GetStatsUseCase,
  GetRecommendationsUseCase,
  FilterFollowedUseCase,
  ExportOwnGraphUseCase,
  // admin
  BackgroundJobs,
  CheckCounterDriftUseCase,
  EvictUserCacheUseCase,
  GetCacheHitRatesUseCase,
  GetCounterRepairUseCase,
  GetEdgeImportUseCase,
  GetOutboxBacklogUseCase,
  ImportEdgesUseCase,
  InvalidateCacheUseCase,
  RepairUserCountersUseCase,
  ReplayUserEventsUseCase,
  ReportCounterDriftUseCase,
  RetryFailedEventsUseCase,
  StartCounterRepairUseCase,
  StartEdgeImportUseCase,
  WarmCacheUseCase,
  ListMutesUseCase,
  BlockExistsUseCase,
  GetKnownFollowersUseCase,
];

/**
 * The use cases, with the policy and cursor codec they share. The ports they need come from the
 * module given as `ports` (the app passes the infrastructure module; the application layer does not
 * know it).
 */
@Module({})
export class GraphApplicationModule {
  static forRoot(options: { policy: GraphPolicy; cursorSecret: string; ports: DynamicModule }): DynamicModule {
    return {
      module: GraphApplicationModule,
      imports: [options.ports],
      providers: [
        { provide: GraphPolicy, useValue: options.policy },
        { provide: CursorCodec, useValue: new CursorCodec(options.cursorSecret) },
        ...useCases,
      ],
      exports: [GraphPolicy, CursorCodec, ...useCases],
    };
  }
}
