import { Body, Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FollowUserUseCase, RemoveFollowerUseCase, RespondToFollowRequestUseCase, UnfollowUserUseCase } from '@graph/application';
import { FollowUserResult } from '@graph/application';
import { UserId, parseUserIdList } from '@graph/domain';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import { ApiErrors, ApiSignedIn, ApiUserIdParam, JSON_BODY_ERRORS } from '../common/api-docs.decorators';
import { UserIdParam } from '../common/user-id.pipe';
import { GRAPH_ROUTE_PREFIX } from '../first-page/first-page.routes';
import {
  FollowBodyDto,
  FollowResponseDto,
  RemoveFollowerResponseDto,
  RespondToRequestBodyDto,
  RespondToRequestResponseDto,
  RespondToRequestsBodyDto,
  RespondToRequestsResponseDto,
  UnfollowResponseDto,
} from './graph-write.dto';

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
@ApiSignedIn()
@Controller(GRAPH_ROUTE_PREFIX)
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
    operationId: 'followUser',
    summary: 'Follow a user',
    description:
      'Public account: accepted at once. Private account: a pending follow request (accepted at once when it has auto_accept_followed and follows you). ' +
      'Self-follow is 400 SELF_FOLLOW; past the following cap, 403 FOLLOW_LIMIT_REACHED. ' +
      'The optional body sets the follow options (notify, reposts, languages); on a repeat it updates those of the existing follow or request ' +
      '(a graph.follow_updated event, no new follow event); omitted fields keep their value. Options survive the request being accepted.',
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: FollowResponseDto })
  @ApiErrors('INVALID_USER_ID', 'SELF_FOLLOW', 'BLOCKED', 'FOLLOW_LIMIT_REACHED', 'RATE_LIMITED', ...JSON_BODY_ERRORS)
  async follow(@CurrentCaller() caller: Caller, @UserIdParam('userId') userId: UserId, @Body() body: FollowBodyDto = {}): Promise<FollowResponseDto> {
    const outcome = await this.followUser.execute({
      followerId: caller.userId,
      followingId: userId,
      options: { notify: body.notify, reposts: body.reposts, languages: body.languages },
    });
    return { success: true, status: outcome.status, message: followMessage(outcome, userId) };
  }

  @Delete('follow/:userId')
  @HttpCode(200)
  @ApiOperation({ operationId: 'unfollowUser', summary: 'Unfollow a user, or cancel your pending request' })
  @ApiUserIdParam()
  @ApiOkResponse({ type: UnfollowResponseDto })
  @ApiErrors('INVALID_USER_ID')
  async unfollow(@CurrentCaller() caller: Caller, @UserIdParam('userId') userId: UserId): Promise<UnfollowResponseDto> {
    await this.unfollowUser.execute({ followerId: caller.userId, followingId: userId });
    return { success: true, status: 'none' };
  }

  @Post('requests/:followerId')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'respondToFollowRequest',
    summary: 'Accept or reject a follow request sent to you',
    description: 'Accepting makes the follow (its created_at is the acceptance time). Repeating the same answer returns it again.',
  })
  @ApiUserIdParam('followerId', 'The user who asked to follow you')
  @ApiOkResponse({ type: RespondToRequestResponseDto })
  @ApiErrors('INVALID_USER_ID', ...JSON_BODY_ERRORS, 'REQUEST_NOT_FOUND')
  async respond(
    @CurrentCaller() caller: Caller,
    @UserIdParam('followerId') followerId: UserId,
    @Body() body: RespondToRequestBodyDto,
  ): Promise<RespondToRequestResponseDto> {
    const outcome = await this.respondToRequest.execute({ ownerId: caller.userId, followerId, action: body.action });
    return { success: true, status: outcome.status, follower_id: followerId };
  }

  @Post('requests')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'respondToFollowRequests',
    summary: 'Accept or reject up to 100 follow requests sent to you in one call',
    description: 'Each request is answered on its own, as by POST /requests/{followerId}; an id with no request to answer is not_found in the results and changes nothing.',
  })
  @ApiOkResponse({ type: RespondToRequestsResponseDto })
  @ApiErrors(...JSON_BODY_ERRORS, 'INVALID_USER_ID', 'TOO_MANY_IDS')
  async respondMany(@CurrentCaller() caller: Caller, @Body() body: RespondToRequestsBodyDto): Promise<RespondToRequestsResponseDto> {
    const followerIds = parseUserIdList(body.follower_ids, 'follower_ids');
    const answers = await this.respondToRequest.executeMany({ ownerId: caller.userId, followerIds, action: body.action });
    return { success: true, results: answers.map((a) => ({ follower_id: a.followerId, status: a.status })) };
  }

  @Delete('followers/:userId')
  @HttpCode(200)
  @ApiOperation({ operationId: 'removeFollower', summary: 'Remove one of your followers without blocking them' })
  @ApiUserIdParam('userId', 'The follower to remove')
  @ApiOkResponse({ type: RemoveFollowerResponseDto })
  @ApiErrors('INVALID_USER_ID')
  async remove(@CurrentCaller() caller: Caller, @UserIdParam('userId') followerId: UserId): Promise<RemoveFollowerResponseDto> {
    await this.removeFollower.execute({ ownerId: caller.userId, followerId });
    return { success: true, status: 'none' };
  }
}
