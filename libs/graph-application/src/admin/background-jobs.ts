import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { GraphError, NotFoundError } from '@graph/domain';

export type JobState = 'running' | 'succeeded' | 'failed';

/** A long admin operation (repair of all counters, an import) as its status endpoint shows it. */
export interface JobView<P = Record<string, unknown>, R = unknown> {
  id: string;
  kind: string;
  state: JobState;
  startedAt: Date;
  finishedAt: Date | null;
  progress: P;
  result: R | null;
  error: { code: string; message: string; details?: Record<string, unknown> } | null;
}

/** Jobs kept for their status endpoint after they end (the oldest finished ones are forgotten first). */
const KEPT = 100;

/**
 * The admin's background jobs of this instance: started, watched through their progress, kept a
 * while after they end. In memory: a job belongs to the instance that runs it (a restart ends it,
 * and every job here is safe to start again).
 */
@Injectable()
export class BackgroundJobs {
  private readonly jobs = new Map<string, JobView>();

  /** Starts `work` now, without waiting for it; `report` replaces the job's progress. */
  start<P extends Record<string, unknown>, R>(kind: string, initial: P, work: (report: (progress: P) => void) => Promise<R>): JobView<P, R> {
    const job: JobView<P, R> = {
      id: randomUUID(),
      kind,
      state: 'running',
      startedAt: new Date(),
      finishedAt: null,
      progress: initial,
      result: null,
      error: null,
    };
    this.jobs.set(job.id, job as JobView);
    this.forgetOld();
    void (async () => {
      try {
        job.result = await work((p) => (job.progress = p));
        job.state = 'succeeded';
      } catch (error) {
        job.state = 'failed';
        job.error =
          error instanceof GraphError
            ? { code: error.code, message: error.message, ...(Object.keys(error.details).length ? { details: error.details } : {}) }
            : { code: 'INTERNAL', message: (error as Error)?.message ?? String(error) };
      } finally {
        job.finishedAt = new Date();
      }
    })();
    return job;
  }

  /** The running job of this kind, if any. */
  running(kind: string): JobView | undefined {
    for (const job of this.jobs.values()) if (job.kind === kind && job.state === 'running') return job;
    return undefined;
  }

  /** The job with this id and kind; NOT_FOUND when there is none (or it was forgotten). */
  get(id: string, kind: string): JobView {
    const job = this.jobs.get(id);
    if (!job || job.kind !== kind) throw new NotFoundError(`no ${kind} job ${id} on this instance`);
    return job;
  }

  private forgetOld(): void {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= KEPT) return;
      if (job.state !== 'running') this.jobs.delete(id);
    }
  }
}
