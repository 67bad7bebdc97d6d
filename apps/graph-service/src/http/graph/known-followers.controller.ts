import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { GetKnownFollowersUseCase, KnownFollowersOfTarget } from '@graph/application';
import { ValidationError, parseUserIdList } from '@graph/domain';
import { CurrentCaller } from '../auth/auth.decorators';
import { Caller } from '../auth/auth.types';
import { ApiErrors, ApiSignedIn } from '../common/api-docs.decorators';
import { GRAPH_ROUTE_PREFIX } from '../first-page/first-page.routes';

class KnownFollowersQueryDto {
  @ApiProperty({ description: 'Comma-separated user ids, 1 to 100, answered in this order', example: '2,3,4' })
  @IsOptional()
  @IsString()
  ids?: string;
}

class KnownFollowersItemDto {
  @ApiProperty({ example: '123' })
  user_id!: string;

  @ApiProperty({ type: Number, nullable: true, example: 5, description: "how many accounts you follow follow this user; null when its followers are hidden from you (private, or it blocks you)" })
  count!: number | null;

  @ApiProperty({ type: [String], example: ['7', '9', '12'], description: 'up to three of them, the most recent follow first' })
  sample_ids!: string[];

  static of(k: KnownFollowersOfTarget): KnownFollowersItemDto {
    return { user_id: k.userId, count: k.count, sample_ids: k.sampleIds };
  }
}

class KnownFollowersDto {
  @ApiProperty({ type: [KnownFollowersItemDto], description: 'one per id asked, in the order asked' })
  known_followers!: KnownFollowersItemDto[];
}

/** Batched "followed by X, Y and N others you follow", for a screen of accounts in one round trip. */
@ApiTags('graph')
@ApiSignedIn()
@Controller(GRAPH_ROUTE_PREFIX)
export class KnownFollowersController {
  constructor(private readonly knownFollowers: GetKnownFollowersUseCase) {}

  @Get('known-followers')
  @ApiOperation({
    operationId: 'countKnownFollowers',
    summary: 'Known followers of up to 100 users at once',
    description:
      "For each id: how many of the accounts you follow follow it, and up to three of them (Bluesky's viewer.knownFollowers). " +
      'A user whose followers you may not see (private and you do not follow it, it blocks you, or its followers_visibility hides them) answers count null. More than 100 ids: 400 TOO_MANY_IDS.',
  })
  @ApiOkResponse({ type: KnownFollowersDto })
  @ApiErrors('INVALID_USER_ID', 'TOO_MANY_IDS', 'VALIDATION_FAILED')
  async batch(@CurrentCaller() caller: Caller, @Query() q: KnownFollowersQueryDto): Promise<KnownFollowersDto> {
    if (q.ids === undefined || q.ids.trim() === '') throw new ValidationError('ids must list 1 to 100 user ids, comma-separated', 'ids');
    const known = await this.knownFollowers.execute({ viewerId: caller.userId, userIds: parseUserIdList(q.ids, 'ids') });
    return { known_followers: known.map(KnownFollowersItemDto.of) };
  }
}
