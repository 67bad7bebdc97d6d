import { DynamicModule, Module, Provider } from '@nestjs/common';
import { CursorCodec } from '@graph/domain';
import { GraphPolicy } from './graph-policy';

/** Every use case (one per file, each with execute(input)); add new ones here. */
const useCases: Provider[] = [];

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
