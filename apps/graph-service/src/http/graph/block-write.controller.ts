import { Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BlockUserUseCase, UnblockUserUseCase } from '@graph/application';
import { UserId } from '@graph/domain';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import { ApiErrors, ApiSignedIn, ApiUserIdParam } from '../common/api-docs.decorators';
import { UserIdParam } from '../common/user-id.pipe';
import { GRAPH_ROUTE_PREFIX } from '../first-page/first-page.routes';
import { BlockResponseDto } from './graph-write.dto';

/** The caller's blocks. Every repeat answers 200. */
@ApiTags('blocks')
@ApiSignedIn()
@Controller(GRAPH_ROUTE_PREFIX)
export class BlockWriteController {
  constructor(
    private readonly blockUser: BlockUserUseCase,
    private readonly unblockUser: UnblockUserUseCase,
  ) {}

  @Post('block/:userId')
  @HttpCode(200)
  @ApiOperation({ operationId: 'blockUser', summary: 'Block a user', description: 'Removes follows and follow requests in both directions and refuses new ones.' })
  @ApiUserIdParam()
  @ApiOkResponse({ type: BlockResponseDto })
  @ApiErrors('INVALID_USER_ID', 'SELF_BLOCK')
  async block(@CurrentCaller() caller: Caller, @UserIdParam('userId') userId: UserId): Promise<BlockResponseDto> {
    await this.blockUser.execute({ blockerId: caller.userId, blockedId: userId });
    return { success: true, blocking: true };
  }

  @Delete('block/:userId')
  @HttpCode(200)
  @ApiOperation({ operationId: 'unblockUser', summary: 'Unblock a user', description: 'Restores nothing that the block removed.' })
  @ApiUserIdParam()
  @ApiOkResponse({ type: BlockResponseDto })
  @ApiErrors('INVALID_USER_ID')
  async unblock(@CurrentCaller() caller: Caller, @UserIdParam('userId') userId: UserId): Promise<BlockResponseDto> {
    await this.unblockUser.execute({ blockerId: caller.userId, blockedId: userId });
    return { success: true, blocking: false };
  }
}
