import { Body, Controller, Get, HttpCode, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetSettingsUseCase, UpdateSettingsUseCase } from '@graph/application';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import { ApiErrors, ApiSignedIn, JSON_BODY_ERRORS } from '../common/api-docs.decorators';
import { GRAPH_ROUTE_PREFIX } from '../first-page/first-page.routes';
import { SettingsDto } from './settings.dto';

/** The caller's privacy setting. */
@ApiTags('settings')
@ApiSignedIn()
@Controller(`${GRAPH_ROUTE_PREFIX}/settings`)
export class SettingsController {
  constructor(
    private readonly getSettings: GetSettingsUseCase,
    private readonly updateSettings: UpdateSettingsUseCase,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getSettings', summary: 'Your settings' })
  @ApiOkResponse({ type: SettingsDto })
  async get(@CurrentCaller() caller: Caller): Promise<SettingsDto> {
    const settings = await this.getSettings.execute({ userId: caller.userId });
    return { is_private: settings.isPrivate };
  }

  @Put()
  @HttpCode(200)
  @ApiOperation({
    operationId: 'updateSettings',
    summary: 'Change your privacy',
    description: 'Going from private to public accepts every pending follow request at once (each gets its follow_request_accepted event).',
  })
  @ApiOkResponse({ type: SettingsDto })
  @ApiErrors(...JSON_BODY_ERRORS)
  async put(@CurrentCaller() caller: Caller, @Body() body: SettingsDto): Promise<SettingsDto> {
    const outcome = await this.updateSettings.execute({ userId: caller.userId, isPrivate: body.is_private });
    return { is_private: outcome.isPrivate };
  }
}
