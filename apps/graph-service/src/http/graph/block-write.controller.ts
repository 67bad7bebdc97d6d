import { Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { BlockUserUseCase, UnblockUserUseCase } from '@graph/application';
import { parseUserId } from '@graph/domain';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import { BlockResponseDto, ErrorResponseDto } from './graph-write.dto';

const USER_ID_PARAM = { name: 'userId', type: String, description: 'User id: a positive 64-bit integer as a decimal string', example: '42' };

/** The caller's blocks. Every repeat answers 200. */
@ApiTags('blocks')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing, invalid or expired token (UNAUTHORIZED)' })
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A malformed id (INVALID_USER_ID) or blocking yourself (SELF_BLOCK)' })
@Controller('api/v1/graph')
export class BlockWriteController {
  constructor(
    private readonly blockUser: BlockUserUseCase,
    private readonly unblockUser: UnblockUserUseCase,
  ) {}

  @Post('block/:userId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Block a user', description: 'Removes follows and follow requests in both directions and refuses new ones.' })
  @ApiParam(USER_ID_PARAM)
  @ApiOkResponse({ type: BlockResponseDto })
  async block(@CurrentCaller() caller: Caller, @Param('userId') rawUserId: string): Promise<BlockResponseDto> {
    const userId = parseUserId(rawUserId, 'userId');
    await this.blockUser.execute({ blockerId: caller.userId, blockedId: userId });
    return { success: true, blocking: true };
  }

  @Delete('block/:userId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unblock a user', description: 'Restores nothing that the block removed.' })
  @ApiParam(USER_ID_PARAM)
  @ApiOkResponse({ type: BlockResponseDto })
  async unblock(@CurrentCaller() caller: Caller, @Param('userId') rawUserId: string): Promise<BlockResponseDto> {
    const userId = parseUserId(rawUserId, 'userId');
    await this.unblockUser.execute({ blockerId: caller.userId, blockedId: userId });
    return { success: true, blocking: false };
  }
}
