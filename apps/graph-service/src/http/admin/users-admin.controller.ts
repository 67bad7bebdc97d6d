import { Body, Controller, Delete, HttpCode, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { EraseUserUseCase, UpdateSettingsUseCase } from '@graph/application';
import { parseUserId } from '@graph/domain';
import { ADMIN_PREFIX, AdminApi } from './admin-api.decorators';
import { EraseDto, PrivacyBodyDto, PrivacyDto } from './admin.dto';

/** Accounts: privacy and erasure, through the use cases the user.events consumer runs. */
@AdminApi()
@Controller(`${ADMIN_PREFIX}/users`)
export class UsersAdminController {
  constructor(
    private readonly settings: UpdateSettingsUseCase,
    private readonly erase: EraseUserUseCase,
  ) {}

  @Put(':userId/privacy')
  @HttpCode(200)
  @ApiOperation({ summary: "Set an account's privacy", description: 'As PUT /settings by the user: going public accepts every pending request (each with its event).' })
  @ApiParam({ name: 'userId', example: '42' })
  @ApiOkResponse({ type: PrivacyDto })
  async setUserPrivacy(@Param('userId') userId: string, @Body() body: PrivacyBodyDto): Promise<PrivacyDto> {
    const id = parseUserId(userId, 'userId');
    const outcome = await this.settings.execute({ userId: id, isPrivate: body.is_private });
    return { user_id: id, is_private: outcome.isPrivate, changed: outcome.changed };
  }

  @Delete(':userId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Erase a user from the graph',
    description: 'Every edge, request and block both ways, the settings and counters; an unfollow event (reason erased) per visible edge; the other users\u2019 counters fixed. Idempotent.',
  })
  @ApiParam({ name: 'userId', example: '42' })
  @ApiOkResponse({ type: EraseDto })
  async eraseUser(@Param('userId') userId: string): Promise<EraseDto> {
    const id = parseUserId(userId, 'userId');
    const outcome = await this.erase.execute({ userId: id });
    return { user_id: id, removed_edges: outcome.removedEdges };
  }
}
