import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ListMutesUseCase, MuteUserUseCase, UnmuteUserUseCase } from '@graph/application';
import { parseUserId } from '@graph/domain';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import { limitOf } from './graph-query.dto';
import { ErrorResponseDto } from './graph-write.dto';
import { MuteBodyDto, MuteItemDto, MuteResponseDto, MutesPageDto, UnmuteResponseDto } from './mute.dto';
import { ApiPageQuery, PageQuery, PageQueryParams } from './page-query';

const USER_ID_PARAM = { name: 'userId', type: String, description: 'User id: a positive 64-bit integer as a decimal string', example: '42' };
const PRIVATE = 'Mutes are private: the muted user is never told (no public event, nothing in their relationship view), and follows and counts stay as they are.';

/** The caller's mutes. Every repeat answers 200. */
@ApiTags('mutes')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing, invalid or expired token (UNAUTHORIZED)' })
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A malformed id, cursor or body (INVALID_USER_ID, INVALID_CURSOR, VALIDATION_FAILED naming the field) or muting yourself (SELF_MUTE)' })
@Controller('api/v1/graph')
export class MuteController {
  constructor(
    private readonly muteUser: MuteUserUseCase,
    private readonly unmuteUser: UnmuteUserUseCase,
    private readonly listMutes: ListMutesUseCase,
  ) {}

  @Post('mutes/:userId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mute a user',
    description: `${PRIVATE} A repeat replaces the settings (a new duration counts from now). A timed mute reads as unmuted as soon as it expires.`,
  })
  @ApiParam(USER_ID_PARAM)
  @ApiOkResponse({ type: MuteResponseDto })
  async mute(@CurrentCaller() caller: Caller, @Param('userId') rawUserId: string, @Body() body: MuteBodyDto = {}): Promise<MuteResponseDto> {
    const mutedId = parseUserId(rawUserId, 'userId');
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
  @ApiOperation({ summary: 'Unmute a user' })
  @ApiParam(USER_ID_PARAM)
  @ApiOkResponse({ type: UnmuteResponseDto })
  async unmute(@CurrentCaller() caller: Caller, @Param('userId') rawUserId: string): Promise<UnmuteResponseDto> {
    await this.unmuteUser.execute({ muterId: caller.userId, mutedId: parseUserId(rawUserId, 'userId') });
    return { success: true, muting: false };
  }

  @Get('mutes')
  @ApiOperation({
    summary: 'Accounts the caller mutes',
    description: 'Active mutes only, newest first, each with its settings and expiry; keyset paging: pass `next_cursor` back as `cursor`. `limit` 1–100 (default 20).',
  })
  @ApiOkResponse({ type: MutesPageDto })
  @ApiPageQuery()
  async list(@CurrentCaller() caller: Caller, @PageQuery() q: PageQueryParams): Promise<MutesPageDto> {
    const page = await this.listMutes.execute({ muterId: caller.userId, cursor: q.cursor, limit: limitOf(q.limit) });
    return { mutes: page.items.map(MuteItemDto.of), next_cursor: page.nextCursor };
  }
}
