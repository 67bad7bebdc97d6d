import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SingleBar } from 'cli-progress';
import { GraphApplicationModule, ImportEdgesUseCase } from '@graph/application';
import { GraphError, ImportMethod, ImportOutcome, ImportProgress } from '@graph/domain';
import { GraphInfrastructureModule, JsonLogger, openEdgeListFile } from '@graph/infrastructure';
import { AppConfig, loadConfig } from '../config/app-config';

const USAGE = 'usage: npm run import -- <edge-list file, plain or .gz> [--events] [--method=auto|merge|initial-load]';
const METHODS: ImportMethod[] = ['auto', 'merge', 'initial-load'];

/** The ports and use cases without the HTTP and Kafka edges. */
@Module({})
class ImportModule {
  static register(config: AppConfig): DynamicModule {
    const infrastructure = GraphInfrastructureModule.forRoot({
      database: config.database,
      runMigrations: config.runMigrations,
      redis: config.redis,
      kafka: config.kafka,
      cache: config.cache,
    });
    return {
      module: ImportModule,
      imports: [
        infrastructure,
        GraphApplicationModule.forRoot({
          policy: { followRateLimit: config.followRateLimit, recommendations: config.recommendations, followingCap: config.followingCap },
          cursorSecret: config.cursorSecret,
          ports: infrastructure,
        }),
      ],
    };
  }
}

/** A progress bar with rate and ETA on a terminal; a plain line a second otherwise (logs, CI). */
function progressReporter(totalBytes: number): { update(p: ImportProgress): void; stop(): void } {
  const started = Date.now();
  const rate = (p: ImportProgress) => Math.round(p.edges / Math.max(0.001, (Date.now() - started) / 1000));
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      stream: process.stderr,
      format: '{bar} {percentage}% | {edges} edges | {rate} edges/s | ETA {eta_formatted} | {phase}',
      hideCursor: true,
    });
    bar.start(totalBytes, 0, { edges: 0, rate: 0, phase: 'reading' });
    return {
      update: (p) => bar.update(p.bytesRead, { edges: p.edges.toLocaleString('en'), rate: rate(p).toLocaleString('en'), phase: p.phase }),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (p) => {
      const now = Date.now();
      if (p.phase === 'reading' && now - last < 1000) return;
      last = now;
      const pct = totalBytes > 0 ? ((100 * p.bytesRead) / totalBytes).toFixed(1) : '?';
      process.stderr.write(`import: ${p.phase} ${pct}% ${p.edges} edges ${rate(p)} edges/s\n`);
    },
    stop: () => undefined,
  };
}

function summary(o: ImportOutcome): string {
  const perSecond = Math.round((o.lines / Math.max(1, o.elapsedMs)) * 1000);
  return (
    `imported in ${(o.elapsedMs / 1000).toFixed(2)} s (${perSecond.toLocaleString('en')} lines/s): ` +
    `${o.loaded} loaded, ${o.duplicates} duplicates, ${o.selfLoops} self-loops, ${o.blocked} blocked; ` +
    `${o.affectedUsers} users' counters updated; ${o.events} events` +
    (o.method ? `; ${o.method}` : '') +
    (o.phasesMs ? ` (${Object.entries(o.phasesMs).map(([k, v]) => `${k} ${v} ms`).join(', ')})` : '') +
    '\n'
  );
}

async function main(argv: string[]): Promise<number> {
  const files = argv.filter((a) => !a.startsWith('--'));
  const methodArg = argv.find((a) => a.startsWith('--method='));
  const method = (methodArg?.slice('--method='.length) ?? 'auto') as ImportMethod;
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--events' && a !== methodArg);
  if (files.length !== 1 || unknown.length > 0 || !METHODS.includes(method)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const context = await NestFactory.createApplicationContext(ImportModule.register(config), { logger: new JsonLogger('warn') });
  try {
    const file = await openEdgeListFile(files[0]!);
    const progress = progressReporter(file.totalBytes);
    try {
      const outcome = await context.get(ImportEdgesUseCase).execute({
        source: file.source,
        totalBytes: file.totalBytes,
        position: file.fileBytesRead,
        emitEvents: argv.includes('--events'),
        method,
        onProgress: (p) => progress.update(p),
      });
      progress.stop();
      process.stdout.write(summary(outcome));
      return 0;
    } catch (error) {
      progress.stop();
      if (error instanceof GraphError) {
        process.stderr.write(`import failed: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  } finally {
    await context.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`import failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
