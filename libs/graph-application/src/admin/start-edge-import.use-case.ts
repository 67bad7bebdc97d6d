import { Injectable } from '@nestjs/common';
import { ImportOutcome, ImportProgress } from '@graph/domain';
import { BackgroundJobs, JobView } from './background-jobs';
import { ImportEdgesUseCase } from './import-edges.use-case';

export const EDGE_IMPORT_JOB = 'edge-import';

export interface StartEdgeImportInput {
  /** Opens the edge list (called once, in the job). */
  open: () => Promise<{ source: AsyncIterable<Buffer>; totalBytes: number | null; position?: () => number }>;
  emitEvents: boolean;
  /** Called when the job ends, whatever its outcome (e.g. removes an uploaded file). */
  cleanup?: () => Promise<void>;
}

export interface EdgeImportProgress extends ImportProgress, Record<string, unknown> {
  /** Edges read per second so far. */
  edgesPerSecond: number;
  /** Share of the source read, 0 … 1, when its size is known. */
  fraction: number | null;
}

/** Runs an import as a background job whose progress (bytes, lines, edges, rate) can be watched. */
@Injectable()
export class StartEdgeImportUseCase {
  constructor(
    private readonly importEdges: ImportEdgesUseCase,
    private readonly jobs: BackgroundJobs,
  ) {}

  execute(input: StartEdgeImportInput): JobView<EdgeImportProgress, ImportOutcome> {
    const started = Date.now();
    const initial: EdgeImportProgress = { phase: 'reading', bytesRead: 0, totalBytes: null, lines: 0, edges: 0, edgesPerSecond: 0, fraction: null };
    return this.jobs.start(EDGE_IMPORT_JOB, initial, async (report) => {
      try {
        const { source, totalBytes, position } = await input.open();
        return await this.importEdges.execute({
          source,
          totalBytes,
          position,
          emitEvents: input.emitEvents,
          onProgress: (p) =>
            report({
              ...p,
              edgesPerSecond: Math.round(p.edges / Math.max(0.001, (Date.now() - started) / 1000)),
              fraction: p.totalBytes ? Math.min(1, p.bytesRead / p.totalBytes) : null,
            }),
        });
      } finally {
        await input.cleanup?.();
      }
    });
  }
}
