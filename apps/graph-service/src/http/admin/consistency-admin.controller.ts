import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { GetCounterRepairUseCase, RepairUserCountersUseCase, ReportCounterDriftUseCase, StartCounterRepairUseCase } from '@graph/application';
import { UserId } from '@graph/domain';
import { ApiErrors, ApiUserIdParam } from '../common/api-docs.decorators';
import { OptionalUserIdQuery, UserIdParam } from '../common/user-id.pipe';
import { ADMIN_PREFIX, AdminApi } from './admin-api.decorators';
import { CounterRepairDto, DriftPageDto, DriftQueryDto, RepairJobDto, RepairProgressDto, jobBody } from './admin.dto';

/** Counters against the edges: the drift report and its repairs. */
@AdminApi()
@Controller(`${ADMIN_PREFIX}/consistency`)
export class ConsistencyAdminController {
  constructor(
    private readonly reportDrift: ReportCounterDriftUseCase,
    private readonly repairUser: RepairUserCountersUseCase,
    private readonly startRepair: StartCounterRepairUseCase,
    private readonly getRepair: GetCounterRepairUseCase,
  ) {}

  @Get('drift')
  @ApiOperation({
    summary: 'Report counter drift',
    description:
      'Users whose stored counters differ from a recount of their edges (stored counters against COUNT(*) of the edges), with both figures, in user id order. ' +
      'Walks the users in keyset batches of 1,000 (short statements, no long lock); one page checks at most 50,000 users, so pass `next_after` back until it is null.',
  })
  @ApiOkResponse({ type: DriftPageDto })
  @ApiErrors('INVALID_USER_ID', 'VALIDATION_FAILED')
  async reportCounterDrift(@Query() q: DriftQueryDto, @OptionalUserIdQuery('after') after?: UserId): Promise<DriftPageDto> {
    return DriftPageDto.of(await this.reportDrift.execute({ afterUserId: after ?? null, limit: q.limit ?? 100 }));
  }

  @Post('users/:userId/repair')
  @HttpCode(200)
  @ApiOperation({ summary: "Repair one user's counters", description: 'Recounts under the counter rows\u2019 locks (a concurrent follow is counted once) and drops the user\u2019s cache entries.' })
  @ApiUserIdParam()
  @ApiOkResponse({ type: CounterRepairDto })
  @ApiErrors('INVALID_USER_ID')
  async repairUserCounters(@UserIdParam('userId') userId: UserId): Promise<CounterRepairDto> {
    return CounterRepairDto.of(await this.repairUser.execute({ userId }));
  }

  @Post('repairs')
  @HttpCode(202)
  @ApiOperation({
    summary: "Repair every user's counters (background job)",
    description: 'Starts the walk and answers at once with the job; follow its progress (checked, drifted, repaired) on GET /consistency/repairs/{jobId}. While one runs, this returns the running job.',
  })
  @ApiAcceptedResponse({ type: RepairJobDto })
  startCounterRepair(): RepairJobDto {
    return jobBody<RepairProgressDto>(this.startRepair.execute());
  }

  @Get('repairs/:jobId')
  @ApiOperation({ summary: 'Watch a counter repair job' })
  @ApiParam({ name: 'jobId', format: 'uuid' })
  @ApiOkResponse({ type: RepairJobDto })
  @ApiErrors('NOT_FOUND')
  getCounterRepair(@Param('jobId') jobId: string): RepairJobDto {
    return jobBody<RepairProgressDto>(this.getRepair.execute({ jobId }));
  }
}
