import { Injectable } from '@nestjs/common';
import { BackgroundJobs, JobView } from './background-jobs';
import { COUNTER_REPAIR_JOB } from './start-counter-repair.use-case';

export interface GetCounterRepairInput {
  jobId: string;
}

/** A counter repair job's state and progress (NOT_FOUND for an unknown id). */
@Injectable()
export class GetCounterRepairUseCase {
  constructor(private readonly jobs: BackgroundJobs) {}

  execute(input: GetCounterRepairInput): JobView {
    return this.jobs.get(input.jobId, COUNTER_REPAIR_JOB);
  }
}
