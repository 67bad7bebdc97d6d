import { Injectable } from '@nestjs/common';
import { UserId } from '@graph/domain';
import { BackgroundJobs, JobView } from './admin/background-jobs';
import { ImportProgress, OwnGraphImportOutcome, ownGraphImportJobKind } from './import-own-graph.use-case';

export interface GetOwnGraphImportInput {
  userId: UserId;
  jobId: string;
}

/** The caller's own import job (state, progress, outcome); NOT_FOUND for another user's or an unknown id. */
@Injectable()
export class GetOwnGraphImportUseCase {
  constructor(private readonly jobs: BackgroundJobs) {}

  execute(input: GetOwnGraphImportInput): JobView<ImportProgress, OwnGraphImportOutcome> {
    return this.jobs.get(input.jobId, ownGraphImportJobKind(input.userId)) as JobView<ImportProgress, OwnGraphImportOutcome>;
  }
}
