import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNumber, IsOptional, IsString } from 'class-validator';
import { MAX_MUTE_DURATION_SECONDS, Mute } from '@graph/domain';
import { muteJson } from '../../wire-format';

/** Body of POST /mutes/{userId}; every field optional. Ranges are checked by the use case. */
export class MuteBodyDto {
  @ApiPropertyOptional({ default: true, description: "Hide the account's notifications too" })
  @IsOptional()
  @IsBoolean()
  notifications?: boolean;

  @ApiPropertyOptional({ default: 0, example: 86400, description: `Seconds until the mute ends by itself; 0 = forever; at most ${MAX_MUTE_DURATION_SECONDS} (a year)` })
  @IsOptional()
  @IsNumber()
  duration?: number;

  @ApiPropertyOptional({ enum: ['all', 'reposts'], default: 'all', description: 'all: posts and reposts; reposts: only what the account reposts' })
  @IsOptional()
  @IsString()
  scope?: 'all' | 'reposts';
}

class MuteSettingsFieldsDto {
  @ApiProperty({ description: "whether the account's notifications are hidden too" })
  notifications!: boolean;

  @ApiProperty({ enum: ['all', 'reposts'] })
  scope!: 'all' | 'reposts';

  @ApiProperty({ type: String, nullable: true, example: '2026-12-02T12:00:00.000Z', description: 'when the mute ends (ISO-8601); null: until undone' })
  expires_at!: string | null;
}

export class MuteResponseDto extends MuteSettingsFieldsDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ example: true, description: 'Whether you mute the user after the call' })
  muting!: true;
}

export class UnmuteResponseDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ example: false })
  muting!: false;
}

export class MuteItemDto extends MuteSettingsFieldsDto {
  @ApiProperty({ example: '123', description: 'the muted user (decimal string)' })
  user_id!: string;

  @ApiProperty({ example: '2026-12-01T12:00:00.000Z', description: 'when the mute began (a repeat that changes the settings keeps it)' })
  created_at!: string;

  static of(m: Mute): MuteItemDto {
    return { ...muteJson(m), created_at: m.createdAt.toISOString() };
  }
}

export class MutesPageDto {
  @ApiProperty({ type: [MuteItemDto], description: 'active mutes, newest first' })
  mutes!: MuteItemDto[];

  @ApiProperty({ type: String, nullable: true, description: 'cursor of the next page; null on the last page' })
  next_cursor!: string | null;
}
