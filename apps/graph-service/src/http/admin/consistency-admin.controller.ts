import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { GetCounterRepairUseCase, RepairUserCountersUseCase, ReportCounterDriftUseCase, StartCounterRepairUseCase } from '@graph/application';
import { parseUserId } from '@graph/domain';
import { ErrorResponseDto } from '../errors/error-response.dto';
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
  async reportCounterDrift(@Query() q: DriftQueryDto): Promise<DriftPageDto> {
    const after = q.after === undefined ? null : parseUserId(q.after, 'after');
    return DriftPageDto.of(await this.reportDrift.execute({ afterUserId: after, limit: q.limit ?? 100 }));
  }

  @Post('users/:userId/repair')
  @HttpCode(200)
  @ApiOperation({ summary: "Repair one user's counters", description: 'Recounts under the counter rows\u2019 locks (a concurrent follow is counted once) and drops the user\u2019s cache entries.' })
  @ApiParam({ name: 'userId', example: '42' })
  @ApiOkResponse({ type: CounterRepairDto })
  async repairUserCounters(@Param('userId') userId: string): Promise<CounterRepairDto> {
    return CounterRepairDto.of(await this.repairUser.execute({ userId: parseUserId(userId, 'userId') }));
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
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such job on this instance (NOT_FOUND)' })
  getCounterRepair(@Param('jobId') jobId: string): RepairJobDto {
    return jobBody<RepairProgressDto>(this.getRepair.execute({ jobId }));
  }
}
