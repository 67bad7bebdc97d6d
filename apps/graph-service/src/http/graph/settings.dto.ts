import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { LIST_VISIBILITIES, ListVisibility, REQUEST_TTL_DAYS_MAX, UserSettings } from '@graph/domain';

const VISIBILITY = 'public: anyone you do not block; followers: your accepted followers; private: you alone (a private account is at least followers)';

/** PUT /settings: the privacy alone (also what user.privacy_changed and the admin API set). */
export class PrivacySettingsDto {
  @ApiProperty({ example: false, description: 'Private: new followers need your approval; lists are visible to your followers only' })
  @IsBoolean()
  is_private!: boolean;
}

/** PATCH /settings: any of the settings; the ones left out keep their value. */
export class SettingsPatchDto {
  @ApiPropertyOptional({ example: false, description: 'Private: new followers need your approval; lists are visible to your followers only' })
  @IsOptional()
  @IsBoolean()
  is_private?: boolean;

  @ApiPropertyOptional({ enum: LIST_VISIBILITIES, description: `Who sees your followers (and known and common followers taken from them): ${VISIBILITY}` })
  @IsOptional()
  @IsIn(LIST_VISIBILITIES)
  followers_visibility?: ListVisibility;

  @ApiPropertyOptional({ enum: LIST_VISIBILITIES, description: `Who sees whom you follow (mutuals need both lists visible): ${VISIBILITY}` })
  @IsOptional()
  @IsIn(LIST_VISIBILITIES)
  following_visibility?: ListVisibility;

  @ApiPropertyOptional({ example: false, description: 'GET /stats answers null for a count of a list the viewer may not see' })
  @IsOptional()
  @IsBoolean()
  hide_counts?: boolean;

  @ApiPropertyOptional({ example: false, description: 'While private, accept at once a request from an account you follow' })
  @IsOptional()
  @IsBoolean()
  auto_accept_followed?: boolean;

  @ApiPropertyOptional({ type: Number, nullable: true, example: 30, description: `Pending requests older than this many days expire (1 to ${REQUEST_TTL_DAYS_MAX}); null: never` })
  @ValidateIf((_, v) => v !== null && v !== undefined)
  @IsInt()
  @Min(1)
  @Max(REQUEST_TTL_DAYS_MAX)
  request_ttl_days?: number | null;
}

/** Every setting of the caller (the answer of GET, PUT and PATCH /settings). */
export class SettingsDto {
  @ApiProperty({ example: false }) is_private!: boolean;
  @ApiProperty({ enum: LIST_VISIBILITIES, example: 'public' }) followers_visibility!: ListVisibility;
  @ApiProperty({ enum: LIST_VISIBILITIES, example: 'public' }) following_visibility!: ListVisibility;
  @ApiProperty({ example: false }) hide_counts!: boolean;
  @ApiProperty({ example: false }) auto_accept_followed!: boolean;
  @ApiProperty({ type: Number, nullable: true, example: null }) request_ttl_days!: number | null;

  static of(s: UserSettings): SettingsDto {
    return {
      is_private: s.isPrivate,
      followers_visibility: s.followersVisibility,
      following_visibility: s.followingVisibility,
      hide_counts: s.hideCounts,
      auto_accept_followed: s.autoAcceptFollowed,
      request_ttl_days: s.requestTtlDays,
    };
  }
}
