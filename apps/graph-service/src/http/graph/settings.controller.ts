import { Body, Controller, Get, HttpCode, Patch, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetSettingsUseCase, UpdateAccountSettingsUseCase, UpdateSettingsUseCase } from '@graph/application';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import { ApiErrors, ApiSignedIn, JSON_BODY_ERRORS } from '../common/api-docs.decorators';
import { GRAPH_ROUTE_PREFIX } from '../first-page/first-page.routes';
import { PrivacySettingsDto, SettingsDto, SettingsPatchDto } from './settings.dto';

/** The caller's privacy and account policies (docs/api.md "Account policies"). */
@ApiTags('settings')
@ApiSignedIn()
@Controller(`${GRAPH_ROUTE_PREFIX}/settings`)
export class SettingsController {
  constructor(
    private readonly getSettings: GetSettingsUseCase,
    private readonly updateSettings: UpdateSettingsUseCase,
    private readonly updateAccountSettings: UpdateAccountSettingsUseCase,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getSettings', summary: 'Your settings' })
  @ApiOkResponse({ type: SettingsDto })
  async get(@CurrentCaller() caller: Caller): Promise<SettingsDto> {
    return SettingsDto.of(await this.getSettings.execute({ userId: caller.userId }));
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
  async put(@CurrentCaller() caller: Caller, @Body() body: PrivacySettingsDto): Promise<SettingsDto> {
    await this.updateSettings.execute({ userId: caller.userId, isPrivate: body.is_private });
    return SettingsDto.of(await this.getSettings.execute({ userId: caller.userId }));
  }

  @Patch()
  @ApiOperation({
    operationId: 'patchSettings',
    summary: 'Change any of your settings',
    description: 'The fields given change, the others keep their value; a repeat changes nothing. All are checked before anything is written.',
  })
  @ApiOkResponse({ type: SettingsDto })
  @ApiErrors(...JSON_BODY_ERRORS)
  async patch(@CurrentCaller() caller: Caller, @Body() body: SettingsPatchDto): Promise<SettingsDto> {
    const settings = await this.updateAccountSettings.execute({
      userId: caller.userId,
      isPrivate: body.is_private,
      policies: {
        followersVisibility: body.followers_visibility,
        followingVisibility: body.following_visibility,
        hideCounts: body.hide_counts,
        autoAcceptFollowed: body.auto_accept_followed,
        requestTtlDays: body.request_ttl_days,
      },
    });
    return SettingsDto.of(settings);
  }
}
