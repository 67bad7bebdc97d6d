import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { GraphClient, GraphClientOptions } from './graph-client';

/**
 * Request-reply access to the Graph Service for another Nest service:
 *
 *   @Module({ imports: [GraphClientModule.register({ brokers: ['kafka:9092'], groupId: 'feed-service' })] })
 *   ...
 *   constructor(private readonly graph: GraphClient) {}
 *   const { user_ids, next_cursor } = await this.graph.followerIds('42', { limit: 5000 });
 */
@Module({})
export class GraphClientModule {
  static register(options: GraphClientOptions): DynamicModule {
    return {
      module: GraphClientModule,
      providers: [{ provide: GraphClient, useFactory: () => new GraphClient(options) }],
      exports: [GraphClient],
    };
  }

  /** Options from the host's configuration (e.g. a ConfigService). */
  static registerAsync(options: {
    imports?: ModuleMetadata['imports'];
    inject?: never[] | unknown[];
    useFactory: (...args: never[]) => GraphClientOptions | Promise<GraphClientOptions>;
  }): DynamicModule {
    return {
      module: GraphClientModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: GraphClient,
          inject: (options.inject ?? []) as never[],
          useFactory: async (...args: never[]) => new GraphClient(await options.useFactory(...args)),
        },
      ],
      exports: [GraphClient],
    };
  }
}
