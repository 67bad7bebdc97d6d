import { DynamicModule, Module, Provider } from '@nestjs/common';
import { CursorCodec } from '@graph/domain';
import { FilterFollowedUseCase } from './filter-followed.use-case';
import { GetRecommendationsUseCase } from './get-recommendations.use-case';
import { GetRelationshipsUseCase } from './get-relationships.use-case';
import { GetStatsUseCase } from './get-stats.use-case';
import { GraphPolicy } from './graph-policy';
import { ListEdgesUseCase } from './list-edges.use-case';
import { ListUserIdsUseCase } from './list-user-ids.use-case';

/** Every use case (one per file, each with execute(input)); add new ones here. */
const useCases: Provider[] = [
  // read side
  ListEdgesUseCase,
  ListUserIdsUseCase,
  GetRelationshipsUseCase,
  GetStatsUseCase,
  GetRecommendationsUseCase,
  FilterFollowedUseCase,
];

/**
 * The use cases, with the policy and cursor codec they share. The ports they need come from the
 * global infrastructure module.
 */
@Module({})
export class GraphApplicationModule {
  static forRoot(options: { policy: GraphPolicy; cursorSecret: string }): DynamicModule {
    return {
      module: GraphApplicationModule,
      providers: [
        { provide: GraphPolicy, useValue: options.policy },
        { provide: CursorCodec, useValue: new CursorCodec(options.cursorSecret) },
        ...useCases,
      ],
      exports: [GraphPolicy, CursorCodec, ...useCases],
    };
  }
}
