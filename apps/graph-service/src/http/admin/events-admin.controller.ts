import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { GetOutboxBacklogUseCase, ReplayUserEventsUseCase, RetryFailedEventsUseCase } from '@graph/application';
import { UserId } from '@graph/domain';
import { ApiErrors, ApiUserIdParam, JSON_BODY_ERRORS } from '../common/api-docs.decorators';
import { UserIdParam } from '../common/user-id.pipe';
import { ADMIN_PREFIX, AdminApi } from './admin-api.decorators';
import { OutboxDto, OutboxQueryDto, ReplayBodyDto, ReplayDto, RetriedDto, RetryEventParamDto } from './admin.dto';

/** The event outbox: backlog, retries, replays. */
@AdminApi()
@Controller(`${ADMIN_PREFIX}/events`)
export class EventsAdminController {
  constructor(
    private readonly backlog: GetOutboxBacklogUseCase,
    private readonly retry: RetryFailedEventsUseCase,
    private readonly replay: ReplayUserEventsUseCase,
  ) {}

  @Get('outbox')
  @ApiOperation({ summary: 'Outbox backlog', description: 'Pending events, the oldest one\u2019s age, and the failing events with their last error (oldest first).' })
  @ApiOkResponse({ type: OutboxDto })
  @ApiErrors('VALIDATION_FAILED')
  async getOutboxBacklog(@Query() q: OutboxQueryDto): Promise<OutboxDto> {
    return OutboxDto.of(await this.backlog.execute({ failingLimit: q.failing_limit ?? 50 }));
  }

  @Post('outbox/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retry every failing event now', description: 'Clears their failure state and wakes the relay, instead of waiting out its backoff. Nothing is dropped.' })
  @ApiOkResponse({ type: RetriedDto })
  async retryFailedEvents(): Promise<RetriedDto> {
    return this.retry.execute({});
  }

  @Post('outbox/:eventId/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retry one failing event now' })
  @ApiParam({ name: 'eventId', format: 'uuid' })
  @ApiOkResponse({ type: RetriedDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  async retryFailedEvent(@Param() p: RetryEventParamDto): Promise<RetriedDto> {
    return this.retry.execute({ eventId: p.eventId });
  }

  @Post('users/:userId/replay')
  @HttpCode(200)
  @ApiOperation({
    summary: "Replay a user's events from a time",
    description:
      'For a consumer that lost data: writes a fresh graph.follow event (new event_id, metadata.replayed true) for each current edge of the user, ' +
      'either way, accepted or pending, made at or after `since`. Sent events are pruned after OUTBOX_RETENTION_SECONDS, so a replay restates the current graph; an edge removed since is not replayed.',
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: ReplayDto })
  @ApiErrors('INVALID_USER_ID', ...JSON_BODY_ERRORS)
  async replayUserEvents(@UserIdParam('userId') userId: UserId, @Body() body: ReplayBodyDto): Promise<ReplayDto> {
    return this.replay.execute({ userId, since: new Date(body.since) });
  }
}
