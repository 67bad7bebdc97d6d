import { Controller, Delete, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DismissRecommendationUseCase } from '@graph/application';
import { UserId } from '@graph/domain';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import { ApiErrors, ApiSignedIn, ApiUserIdParam } from '../common/api-docs.decorators';
import { UserIdParam } from '../common/user-id.pipe';
import { GRAPH_ROUTE_PREFIX } from '../first-page/first-page.routes';

class DismissRecommendationResponseDto {
  @ApiProperty({ example: true })
  success!: boolean;
  @ApiProperty({ example: true, description: 'always true: the account is dismissed (whether by this call or an earlier one)' })
  dismissed!: boolean;
}

/** "Not interested" on a suggestion (GET /recommendations is in GraphQueryController). */
@ApiTags('graph')
@ApiSignedIn()
@Controller(GRAPH_ROUTE_PREFIX)
export class RecommendationDismissalController {
  constructor(private readonly dismissRecommendation: DismissRecommendationUseCase) {}

  @Delete('recommendations/:userId')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'dismissRecommendation',
    summary: 'Never suggest this account again',
    description: 'Kept for good and private (no event); a repeat answers the same 200. Dismissing yourself is 400 SELF_DISMISS.',
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: DismissRecommendationResponseDto })
  @ApiErrors('INVALID_USER_ID', 'SELF_DISMISS')
  async dismiss(@CurrentCaller() caller: Caller, @UserIdParam('userId') userId: UserId): Promise<DismissRecommendationResponseDto> {
    await this.dismissRecommendation.execute({ userId: caller.userId, dismissedId: userId });
    return { success: true, dismissed: true };
  }
}
