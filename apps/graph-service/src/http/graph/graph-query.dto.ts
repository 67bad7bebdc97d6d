import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { GRAPH_LIMITS, ListedEdge, Page, Relationship, UserId, VisibleStats } from '@graph/domain';
import { GetRelationshipsUseCase, GetStatsUseCase, Suggestion, ViewerRelationship } from '@graph/application';
import { relationshipJson, statsJson } from '../../wire-format';

// ---- query strings ---------------------------------------------------------------------------

export class RelationshipsQueryDto {
  @ApiProperty({ description: `Comma-separated user ids, 1 to ${GRAPH_LIMITS.relationshipIds}, answered in this order`, example: '2,3,4' })
  @IsOptional()
  @IsString()
  ids?: string;
}

export class RecommendationsQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: GRAPH_LIMITS.recommendationsMax,
    default: GRAPH_LIMITS.recommendationsDefault,
    description: `How many suggestions, 1 to ${GRAPH_LIMITS.recommendationsMax}`,
  })
  @IsOptional()
  @IsString()
  limit?: string;

  @ApiPropertyOptional({
    description: '"People like X": suggest accounts followed by the followers of this user (the screen after a follow) instead of by your followings',
    example: '42',
    pattern: '^[1-9][0-9]{0,18}$',
  })
  @IsOptional()
  @IsString()
  relative_to?: string;
}

/** A query-string limit: absent stays absent; anything but digits becomes NaN, which the use case refuses by name. */
export function limitOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  return /^[0-9]{1,7}$/.test(raw) ? Number(raw) : Number.NaN;
}

// ---- responses -------------------------------------------------------------------------------

const isoByMs = new Map<number, string>();

/**
 * toISOString, remembered: it costs ~0.4 µs, 20 times per page, and a hot page shows the same
 * instants to every reader (measured: 6% of a cached page's CPU). Bounded by starting afresh.
 */
function isoOf(date: Date): string {
  const ms = date.getTime();
  let iso = isoByMs.get(ms);
  if (iso === undefined) {
    iso = date.toISOString();
    if (isoByMs.size >= 50_000) isoByMs.clear();
    isoByMs.set(ms, iso);
  }
  return iso;
}

class EdgeItemDto {
  @ApiProperty({ example: '123', description: 'user id (decimal string)' })
  user_id!: string;

  @ApiProperty({ example: '2025-01-01T12:00:00.000Z', description: 'when this edge (follow, request or block) was made' })
  created_at!: string;

  static of(e: ListedEdge): EdgeItemDto {
    return { user_id: e.userId, created_at: isoOf(e.createdAt) };
  }
}

class PageFieldsDto {
  @ApiProperty({ type: String, nullable: true, description: 'cursor of the next page; null on the last page' })
  next_cursor!: string | null;

  @ApiProperty({ example: 42, description: 'entries in the whole list' })
  total!: number;
}

export class FollowersPageDto extends PageFieldsDto {
  @ApiProperty({ type: [EdgeItemDto] })
  followers!: EdgeItemDto[];
}

export class FollowingPageDto extends PageFieldsDto {
  @ApiProperty({ type: [EdgeItemDto] })
  following!: EdgeItemDto[];
}

export class RequestsPageDto extends PageFieldsDto {
  @ApiProperty({ type: [EdgeItemDto] })
  requests!: EdgeItemDto[];
}

export class BlocksPageDto extends PageFieldsDto {
  @ApiProperty({ type: [EdgeItemDto] })
  blocks!: EdgeItemDto[];
}

export class MutualsPageDto extends PageFieldsDto {
  @ApiProperty({ type: [EdgeItemDto] })
  mutuals!: EdgeItemDto[];
}

/** `{"<name>": [{user_id, created_at}], next_cursor, total}` as docs/api.md writes every list. */
export function pageBody<K extends string>(name: K, page: Page): Record<K, EdgeItemDto[]> & PageFieldsDto {
  return { [name]: page.items.map(EdgeItemDto.of), next_cursor: page.nextCursor, total: page.total } as Record<K, EdgeItemDto[]> &
    PageFieldsDto;
}

export class RelationshipDto {
  @ApiProperty({ example: '123' })
  user_id!: string;
  @ApiProperty({ description: 'the caller follows this user (accepted)' })
  following!: boolean;
  @ApiProperty({ description: 'this user follows the caller (accepted)' })
  followed_by!: boolean;
  @ApiProperty({ description: 'following and followed_by' })
  mutual!: boolean;
  @ApiProperty({ description: 'the caller has a pending request to this user' })
  requested!: boolean;
  @ApiProperty({ description: 'this user has a pending request to the caller' })
  requested_by!: boolean;
  @ApiProperty({ description: 'the caller blocks this user' })
  blocking!: boolean;
  @ApiProperty({ description: 'this user blocks the caller' })
  blocked_by!: boolean;
  @ApiProperty({ enum: ['none', 'following', 'followed_by', 'mutual', 'requested', 'blocked'] })
  relationship!: Relationship['relationship'];
  @ApiProperty({ description: "the caller's follow or request asks to be notified of this user's posts (follow option notify)" })
  notifying!: boolean;
  @ApiProperty({ description: "the caller's follow or request shows this user's reposts (follow option reposts; false without a follow)" })
  showing_reposts!: boolean;
  @ApiProperty({ type: [String], nullable: true, example: null, description: "ISO 639-1 codes the caller's follow is limited to; null: every language" })
  languages!: string[] | null;
  @ApiProperty({ description: 'the caller mutes this user (private: never shown to the muted user)' })
  muting!: boolean;
  @ApiProperty({ description: "the caller's mute hides this user's notifications too" })
  muting_notifications!: boolean;
  @ApiProperty({ type: String, nullable: true, example: null, description: "end of the caller's timed mute (ISO-8601); null when forever or not muting" })
  muting_expires_at!: string | null;

  static of(r: ViewerRelationship): RelationshipDto {
    return relationshipJson(r);
  }

}

export class RelationshipsDto {
  @ApiProperty({ type: [RelationshipDto], description: 'one per id asked, in the order asked' })
  relationships!: RelationshipDto[];
}

export class StatsDto {
  @ApiProperty({ example: '123' })
  user_id!: string;
  @ApiProperty({ example: 10, type: Number, nullable: true, description: 'null when the account hides its counts and you may not see its followers' })
  follower_count!: number | null;
  @ApiProperty({ example: 5, type: Number, nullable: true, description: 'null when the account hides its counts and you may not see whom it follows' })
  following_count!: number | null;
  @ApiProperty({ example: 0, type: Number, nullable: true, description: 'null when the account hides its counts (for everyone but the account)' })
  pending_requests_count!: number | null;

  static of(s: VisibleStats): StatsDto {
    return statsJson(s);
  }

}

export class RecommendationDto {
  @ApiProperty({ example: '123' })
  user_id!: string;
  @ApiProperty({ example: 3, description: "how many of the caller's (most recent) followings follow this user" })
  mutual_count!: number;

  @ApiProperty({ type: [String], example: ['7', '9'], description: 'up to three of the accounts you follow that follow this user ("followed by X and Y"), the most recent follow first' })
  sample_mutual_ids!: string[];

  static of(r: Suggestion): RecommendationDto {
    return { user_id: r.userId, mutual_count: r.mutualCount, sample_mutual_ids: r.sampleMutualIds };
  }
}

export class RecommendationsDto {
  @ApiProperty({ type: [RecommendationDto] })
  recommendations!: RecommendationDto[];
}

/**
 * The answers of `GET stats/:userId` and `relationship/:userId`, for GraphQueryController and for
 * DirectReadShortcut, which answers the same requests ahead of the router.
 */
export async function statsAnswer(stats: GetStatsUseCase, viewerId: UserId, userId: UserId): Promise<StatsDto> {
  return StatsDto.of(await stats.forViewer({ viewerId, userId }));
}

export async function relationshipAnswer(relationships: GetRelationshipsUseCase, viewerId: UserId, userId: UserId): Promise<RelationshipDto> {
  const [r] = await relationships.execute({ viewerId, userIds: [userId] });
  return RelationshipDto.of(r!);
}
