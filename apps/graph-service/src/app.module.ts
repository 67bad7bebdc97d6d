import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { GraphApplicationModule, SweepExpiredMutesUseCase, SweepExpiredRequestsUseCase } from '@graph/application';
import { GraphInfrastructureModule, KafkaTopics, MetricsRegistry } from '@graph/infrastructure';
import { AppConfig } from './config/app-config';
import { JwtAuthGuard } from './http/auth/jwt-auth.guard';
import { TokenVerifier } from './http/auth/token-verifier';
import { firstPageCacheProvider } from './http/first-page/first-page.cache';
import { HttpErrorFilter } from './http/errors/http-error.filter';
import { createValidationPipe } from './http/errors/validation';
import { BlockWriteController } from './http/graph/block-write.controller';
import { FollowWriteController } from './http/graph/follow-write.controller';
import { KnownFollowersController } from './http/graph/known-followers.controller';
import { MuteController } from './http/graph/mute.controller';
import { RecommendationDismissalController } from './http/graph/recommendation-dismissal.controller';
import { ExportController } from './http/graph/export.controller';
import { GraphImportController } from './http/graph/graph-import.controller';
import { SettingsController } from './http/graph/settings.controller';
import { GraphQueryController } from './http/graph/graph-query.controller';
import { HealthController } from './http/health/health.controller';
import { AdminAudit } from './http/admin/admin-audit.interceptor';
import { CacheAdminController } from './http/admin/cache-admin.controller';
import { ConsistencyAdminController } from './http/admin/consistency-admin.controller';
import { EventsAdminController } from './http/admin/events-admin.controller';
import { ImportsAdminController } from './http/admin/imports-admin.controller';
import { UsersAdminController } from './http/admin/users-admin.controller';
import { FirstPageWarmer } from './http/first-page/first-page.warmer';
import { CounterDriftScheduler } from './observability/counter-drift.scheduler';
import { GraphRpcController } from './kafka/graph-rpc.controller';
import { KafkaConsumerProgress } from './kafka/kafka-consumer-progress';
import { KafkaServerSupervisor } from './kafka/kafka-server.supervisor';
import { UserEventsController } from './kafka/user-events.controller';
import { ServiceLifecycle } from './lifecycle/service-lifecycle';
import { PeriodicSweeper } from './workers/periodic-sweeper';

/** Composition root: the config, the infrastructure bound to it, and the HTTP and Kafka edges. */
@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    // The ports and their adapters (see the binding table in graph-infrastructure.module.ts).
    const infrastructure = GraphInfrastructureModule.forRoot({
      database: config.database,
      runMigrations: config.runMigrations,
      redis: config.redis,
      kafka: config.kafka,
      cache: config.cache,
    });
    return {
      module: AppModule,
      imports: [
        infrastructure,
        GraphApplicationModule.forRoot({
          policy: { followRateLimit: config.followRateLimit, recommendations: config.recommendations, followingCap: config.followingCap },
          cursorSecret: config.cursorSecret,
          ports: infrastructure,
        }),
      ],
      controllers: [
        HealthController,
        FollowWriteController,
        BlockWriteController,
        SettingsController,
        GraphQueryController,
        ConsistencyAdminController,
        CacheAdminController,
        EventsAdminController,
        UsersAdminController,
        ImportsAdminController,
        MuteController,
        KnownFollowersController,
        RecommendationDismissalController,
        ExportController,
        GraphImportController,
        // Kafka edge: message handlers only, served by the microservice connected in bootstrap.ts.
        ...(config.kafka.mode === 'external' ? [GraphRpcController, UserEventsController] : []),
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        ServiceLifecycle,
        TokenVerifier,
        AdminAudit,
        FirstPageWarmer,
        CounterDriftScheduler,
        // the first-page shortcut's rendering store (http/first-page/)
        firstPageCacheProvider(config.cache),
        {
          provide: KafkaServerSupervisor,
          inject: [KafkaTopics],
          useFactory: (topics: KafkaTopics) => new KafkaServerSupervisor(config, topics),
        },
        { provide: KafkaConsumerProgress, inject: [MetricsRegistry], useFactory: (m: MetricsRegistry) => new KafkaConsumerProgress(m, config.kafkaConsumerStalledAfterSeconds) },
        {
          provide: 'ExpiredMuteSweeper',
          inject: [SweepExpiredMutesUseCase],
          useFactory: (sweep: SweepExpiredMutesUseCase) => new PeriodicSweeper('expired mutes', () => sweep.execute(), config.muteSweepIntervalSeconds),
        },
        {
          provide: 'ExpiredRequestSweeper',
          inject: [SweepExpiredRequestsUseCase],
          useFactory: (sweep: SweepExpiredRequestsUseCase) => new PeriodicSweeper('expired follow requests', () => sweep.execute(), config.requestSweepIntervalSeconds),
        },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
