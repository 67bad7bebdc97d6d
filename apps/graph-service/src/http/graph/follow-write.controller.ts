import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { FollowUserUseCase, RemoveFollowerUseCase, RespondToFollowRequestUseCase, UnfollowUserUseCase } from '@graph/application';
import { FollowUserResult } from '@graph/application';
import { parseUserId } from '@graph/domain';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import {
  ErrorResponseDto,
  FollowBodyDto,
  FollowResponseDto,
  RemoveFollowerResponseDto,
  RespondToRequestBodyDto,
  RespondToRequestResponseDto,
  UnfollowResponseDto,
} from './graph-write.dto';

const USER_ID_PARAM = { type: String, description: 'User id: a positive 64-bit integer as a decimal string', example: '42' };

function followMessage(outcome: FollowUserResult, userId: string): string {
  if (outcome.optionsUpdated) {
    return outcome.status === 'accepted' ? `Options of your follow of user ${userId} updated.` : `Options of your pending request to user ${userId} updated.`;
  }
  if (outcome.status === 'accepted') return outcome.changed ? `You now follow user ${userId}.` : `You already follow user ${userId}.`;
  return outcome.changed
    ? `Follow request sent to user ${userId}: the account is private and must accept it.`
    : `Your follow request to user ${userId} is still pending.`;
}

/** Follows, follow requests and followers: the caller's own edges. Every repeat answers 200. */
@ApiTags('follows')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing, invalid or expired token (UNAUTHORIZED)' })
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'A malformed id or body (INVALID_USER_ID naming the field, VALIDATION_FAILED)' })
@Controller('api/v1/graph')
export class FollowWriteController {
  constructor(
    private readonly followUser: FollowUserUseCase,
    private readonly unfollowUser: UnfollowUserUseCase,
    private readonly respondToRequest: RespondToFollowRequestUseCase,
    private readonly removeFollower: RemoveFollowerUseCase,
  ) {}

  @Post('follow/:userId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Follow a user',
    description:
      'Public account: accepted at once. Private account: a pending follow request. Self-follow is 400 SELF_FOLLOW. ' +
      'The optional body sets the follow options (notify, reposts, languages); on a repeat it updates those of the existing follow or request ' +
      '(a graph.follow_updated event, no new follow event); omitted fields keep their value. Options survive the request being accepted.',
  })
  @ApiParam({ name: 'userId', ...USER_ID_PARAM })
  @ApiOkResponse({ type: FollowResponseDto })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'A block exists either way (BLOCKED)' })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Over the follow rate limit (RATE_LIMITED); see Retry-After' })
  async follow(@CurrentCaller() caller: Caller, @Param('userId') rawUserId: string, @Body() body: FollowBodyDto = {}): Promise<FollowResponseDto> {
    const userId = parseUserId(rawUserId, 'userId');
    const outcome = await this.followUser.execute({
      followerId: caller.userId,
      followingId: userId,
      options: { notify: body.notify, reposts: body.reposts, languages: body.languages },
    });
    return { success: true, status: outcome.status, message: followMessage(outcome, userId) };
  }

  @Delete('follow/:userId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unfollow a user, or cancel your pending request' })
  @ApiParam({ name: 'userId', ...USER_ID_PARAM })
  @ApiOkResponse({ type: UnfollowResponseDto })
  async unfollow(@CurrentCaller() caller: Caller, @Param('userId') rawUserId: string): Promise<UnfollowResponseDto> {
    const userId = parseUserId(rawUserId, 'userId');
    await this.unfollowUser.execute({ followerId: caller.userId, followingId: userId });
    return { success: true, status: 'none' };
  }

  @Post('requests/:followerId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Accept or reject a follow request sent to you',
    description: 'Accepting makes the follow (its created_at is the acceptance time). Repeating the same answer returns it again.',
  })
  @ApiParam({ name: 'followerId', ...USER_ID_PARAM, description: 'The user who asked to follow you' })
  @ApiOkResponse({ type: RespondToRequestResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No pending request from this user to you (REQUEST_NOT_FOUND)' })
  async respond(
    @CurrentCaller() caller: Caller,
    @Param('followerId') rawFollowerId: string,
    @Body() body: RespondToRequestBodyDto,
  ): Promise<RespondToRequestResponseDto> {
    const followerId = parseUserId(rawFollowerId, 'followerId');
    const outcome = await this.respondToRequest.execute({ ownerId: caller.userId, followerId, action: body.action });
    return { success: true, status: outcome.status, follower_id: followerId };
  }

  @Delete('followers/:userId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove one of your followers without blocking them' })
  @ApiParam({ name: 'userId', ...USER_ID_PARAM, description: 'The follower to remove' })
  @ApiOkResponse({ type: RemoveFollowerResponseDto })
  async remove(@CurrentCaller() caller: Caller, @Param('userId') rawUserId: string): Promise<RemoveFollowerResponseDto> {
    const followerId = parseUserId(rawUserId, 'userId');
    await this.removeFollower.execute({ ownerId: caller.userId, followerId });
    return { success: true, status: 'none' };
  }
}
