import { Body, Controller, Get, HttpCode, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { GetSettingsUseCase, UpdateSettingsUseCase } from '@graph/application';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import { ErrorResponseDto } from './graph-write.dto';
import { SettingsDto } from './settings.dto';

/** The caller's privacy setting. */
@ApiTags('settings')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing, invalid or expired token (UNAUTHORIZED)' })
@Controller('api/v1/graph/settings')
export class SettingsController {
  constructor(
    private readonly getSettings: GetSettingsUseCase,
    private readonly updateSettings: UpdateSettingsUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your settings' })
  @ApiOkResponse({ type: SettingsDto })
  async get(@CurrentCaller() caller: Caller): Promise<SettingsDto> {
    const settings = await this.getSettings.execute({ userId: caller.userId });
    return { is_private: settings.isPrivate };
  }

  @Put()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Change your privacy',
    description: 'Going from private to public accepts every pending follow request at once (each gets its follow_request_accepted event).',
  })
  @ApiOkResponse({ type: SettingsDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'is_private missing or not a boolean (VALIDATION_FAILED)' })
  async put(@CurrentCaller() caller: Caller, @Body() body: SettingsDto): Promise<SettingsDto> {
    const outcome = await this.updateSettings.execute({ userId: caller.userId, isPrivate: body.is_private });
    return { is_private: outcome.isPrivate };
  }
}
