import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';

export class FollowResponseDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ enum: ['accepted', 'pending'], description: 'accepted: you follow them; pending: a request awaits their answer (private account)' })
  status!: 'accepted' | 'pending';

  @ApiProperty({ example: 'You now follow user 42.' })
  message!: string;
}

/** Optional body of POST /follow/{userId}: omitted fields keep their value (a new follow: the defaults). */
export class FollowBodyDto {
  @ApiPropertyOptional({ default: false, description: 'Be notified of each new post of the account' })
  @IsOptional()
  @IsBoolean()
  notify?: boolean;

  @ApiPropertyOptional({ default: true, description: "Show the account's reposts in your timeline" })
  @IsOptional()
  @IsBoolean()
  reposts?: boolean;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    default: null,
    example: ['en', 'fr'],
    description: 'Only posts in these ISO 639-1 languages; null or [] for every language',
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  languages?: string[] | null;
}

export class UnfollowResponseDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ enum: ['none'], description: 'No follow and no pending request remains' })
  status!: 'none';
}

export class RespondToRequestBodyDto {
  @ApiProperty({ enum: ['accept', 'reject'] })
  @IsIn(['accept', 'reject'])
  action!: 'accept' | 'reject';
}

export class RespondToRequestsBodyDto {
  @ApiProperty({ enum: ['accept', 'reject'] })
  @IsIn(['accept', 'reject'])
  action!: 'accept' | 'reject';

  @ApiProperty({ type: [String], example: ['42', '43'], description: 'The requesters, 1 to 100 user ids (decimal strings or JSON integers)' })
  @IsArray()
  follower_ids!: unknown[];
}

class RequestAnswerDto {
  @ApiProperty({ example: '42' })
  follower_id!: string;

  @ApiProperty({ enum: ['accepted', 'rejected', 'not_found'], description: 'The request\u2019s state after the call; not_found: no request from this user to answer' })
  status!: 'accepted' | 'rejected' | 'not_found';
}

export class RespondToRequestsResponseDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ type: [RequestAnswerDto], description: 'One answer per id given, in that order' })
  results!: RequestAnswerDto[];
}

export class RespondToRequestResponseDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ enum: ['accepted', 'rejected'], description: 'The request\u2019s state after the call' })
  status!: 'accepted' | 'rejected';

  @ApiProperty({ example: '42', description: 'The requester (decimal string)' })
  follower_id!: string;
}

export class RemoveFollowerResponseDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ enum: ['none'], description: 'That user no longer follows you' })
  status!: 'none';
}

export class BlockResponseDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ example: true, description: 'Whether you block the user after the call' })
  blocking!: boolean;
}
