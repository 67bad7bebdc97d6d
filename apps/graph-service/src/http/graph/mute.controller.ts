import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ListMutesUseCase, MuteUserUseCase, UnmuteUserUseCase } from '@graph/application';
import { UserId } from '@graph/domain';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import { ApiErrors, ApiSignedIn, ApiUserIdParam, JSON_BODY_ERRORS } from '../common/api-docs.decorators';
import { UserIdParam } from '../common/user-id.pipe';
import { GRAPH_ROUTE_PREFIX } from '../first-page/first-page.routes';
import { limitOf } from './graph-query.dto';
import { MuteBodyDto, MuteItemDto, MuteResponseDto, MutesPageDto, UnmuteResponseDto } from './mute.dto';
import { ApiPageQuery, PageQuery, PageQueryParams } from './page-query';

const PRIVATE = 'Mutes are private: the muted user is never told (no public event, nothing in their relationship view), and follows and counts stay as they are.';

/** The caller's mutes. Every repeat answers 200. */
@ApiTags('mutes')
@ApiSignedIn()
@Controller(GRAPH_ROUTE_PREFIX)
export class MuteController {
  constructor(
    private readonly muteUser: MuteUserUseCase,
    private readonly unmuteUser: UnmuteUserUseCase,
    private readonly listMutes: ListMutesUseCase,
  ) {}

  @Post('mutes/:userId')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'muteUser',
    summary: 'Mute a user',
    description: `${PRIVATE} A repeat replaces the settings (a new duration counts from now). A timed mute reads as unmuted as soon as it expires.`,
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: MuteResponseDto })
  @ApiErrors('INVALID_USER_ID', 'SELF_MUTE', ...JSON_BODY_ERRORS)
  async mute(@CurrentCaller() caller: Caller, @UserIdParam('userId') mutedId: UserId, @Body() body: MuteBodyDto = {}): Promise<MuteResponseDto> {
    const { settings } = await this.muteUser.execute({
      muterId: caller.userId,
      mutedId,
      notifications: body.notifications,
      durationSeconds: body.duration,
      scope: body.scope,
    });
    return { success: true, muting: true, notifications: settings.notifications, scope: settings.scope, expires_at: settings.expiresAt?.toISOString() ?? null };
  }

  @Delete('mutes/:userId')
  @HttpCode(200)
  @ApiOperation({ operationId: 'unmuteUser', summary: 'Unmute a user' })
  @ApiUserIdParam()
  @ApiOkResponse({ type: UnmuteResponseDto })
  @ApiErrors('INVALID_USER_ID')
  async unmute(@CurrentCaller() caller: Caller, @UserIdParam('userId') mutedId: UserId): Promise<UnmuteResponseDto> {
    await this.unmuteUser.execute({ muterId: caller.userId, mutedId });
    return { success: true, muting: false };
  }

  @Get('mutes')
  @ApiOperation({
    operationId: 'listMutes',
    summary: 'Accounts the caller mutes',
    description: 'Active mutes only, newest first, each with its settings and expiry; keyset paging: pass `next_cursor` back as `cursor`. `limit` 1–100 (default 20).',
  })
  @ApiOkResponse({ type: MutesPageDto })
  @ApiPageQuery()
  @ApiErrors('INVALID_CURSOR', 'VALIDATION_FAILED')
  async list(@CurrentCaller() caller: Caller, @PageQuery() q: PageQueryParams): Promise<MutesPageDto> {
    const page = await this.listMutes.execute({ muterId: caller.userId, cursor: q.cursor, limit: limitOf(q.limit) });
    return { mutes: page.items.map(MuteItemDto.of), next_cursor: page.nextCursor };
  }
}
