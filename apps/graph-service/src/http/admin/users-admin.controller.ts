import { Body, Controller, Delete, HttpCode, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { EraseUserUseCase, UpdateSettingsUseCase } from '@graph/application';
import { UserId } from '@graph/domain';
import { ApiErrors, ApiUserIdParam, JSON_BODY_ERRORS } from '../common/api-docs.decorators';
import { UserIdParam } from '../common/user-id.pipe';
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
  @ApiUserIdParam()
  @ApiOkResponse({ type: PrivacyDto })
  @ApiErrors('INVALID_USER_ID', ...JSON_BODY_ERRORS)
  async setUserPrivacy(@UserIdParam('userId') userId: UserId, @Body() body: PrivacyBodyDto): Promise<PrivacyDto> {
    const outcome = await this.settings.execute({ userId, isPrivate: body.is_private });
    return { user_id: userId, is_private: outcome.isPrivate, changed: outcome.changed };
  }

  @Delete(':userId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Erase a user from the graph',
    description: 'Every edge, request and block both ways, the settings and counters; an unfollow event (reason erased) per visible edge; the other users\u2019 counters fixed. Idempotent.',
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: EraseDto })
  @ApiErrors('INVALID_USER_ID')
  async eraseUser(@UserIdParam('userId') userId: UserId): Promise<EraseDto> {
    const outcome = await this.erase.execute({ userId });
    return { user_id: userId, removed_edges: outcome.removedEdges };
  }
}
