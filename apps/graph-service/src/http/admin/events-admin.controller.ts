import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { GetOutboxBacklogUseCase, ReplayUserEventsUseCase, RetryFailedEventsUseCase } from '@graph/application';
import { parseUserId } from '@graph/domain';
import { ErrorResponseDto } from '../errors/error-response.dto';
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
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No failing event with this id (NOT_FOUND)' })
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
  @ApiParam({ name: 'userId', example: '42' })
  @ApiOkResponse({ type: ReplayDto })
  async replayUserEvents(@Param('userId') userId: string, @Body() body: ReplayBodyDto): Promise<ReplayDto> {
    return this.replay.execute({ userId: parseUserId(userId, 'userId'), since: new Date(body.since) });
  }
}
