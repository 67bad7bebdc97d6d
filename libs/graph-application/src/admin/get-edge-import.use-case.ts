import { Injectable } from '@nestjs/common';
import { BackgroundJobs, JobView } from './background-jobs';
import { EDGE_IMPORT_JOB } from './start-edge-import.use-case';

export interface GetEdgeImportInput {
  jobId: string;
}

/** An import job's state, progress and outcome (NOT_FOUND for an unknown id). */
@Injectable()
export class GetEdgeImportUseCase {
  constructor(private readonly jobs: BackgroundJobs) {}

  execute(input: GetEdgeImportInput): JobView {
    return this.jobs.get(input.jobId, EDGE_IMPORT_JOB);
  }
}
