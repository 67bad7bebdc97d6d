import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  GetRecommendationsUseCase,
  GetRelationshipsUseCase,
  GetStatsUseCase,
  ListEdgesUseCase,
} from '@graph/application';
import { EdgeList, UserId, ValidationError, parseUserId, parseUserIdList } from '@graph/domain';
import { CurrentCaller } from '../auth/auth.decorators';
import { ApiErrors, ApiSignedIn, ApiUserIdParam, DocumentedErrorCode } from '../common/api-docs.decorators';
import { UserIdParam } from '../common/user-id.pipe';
import { ApiPageQuery, PageQuery, PageQueryParams } from './page-query';
import { FirstPageCache } from '../first-page/first-page.cache';
import { GRAPH_ROUTE_PREFIX } from '../first-page/first-page.routes';
import { FirstPageList, FirstPageTicket, FirstPageTicketOf } from '../first-page/first-page.ticket';
import { Caller } from '../auth/auth.types';
import {
  BlocksPageDto,
  FollowersPageDto,
  FollowingPageDto,
  MutualsPageDto,
  RecommendationDto,
  RecommendationsDto,
  RecommendationsQueryDto,
  RelationshipDto,
  RelationshipsDto,
  RelationshipsQueryDto,
  RequestsPageDto,
  StatsDto,
  limitOf,
  pageBody,
  relationshipAnswer,
  statsAnswer,
} from './graph-query.dto';

const PAGED =
  'Newest edge first; keyset paging: pass `next_cursor` back as `cursor` (null on the last page). ' +
  '`limit` 1–100 (default 20); a bad limit or a cursor that is tampered with or from another list is 400.';
/** What a page's `limit` and `cursor` can be refused with. */
const PAGE_ERRORS: DocumentedErrorCode[] = ['VALIDATION_FAILED', 'INVALID_CURSOR'];
/** A list of someone else's edges: a bad id, a bad page, and the visibility rule. */
const USER_LIST_ERRORS: DocumentedErrorCode[] = ['INVALID_USER_ID', ...PAGE_ERRORS, 'PRIVATE_ACCOUNT', 'LIST_HIDDEN', 'BLOCKED'];

const VISIBILITY =
  "A private account's list is visible only to the account and its accepted followers (403 PRIVATE_ACCOUNT); " +
  'a caller blocked by the account gets 403 BLOCKED; a list the account\'s followers_visibility / following_visibility keeps from the caller is 403 LIST_HIDDEN ' +
  '(known and common followers follow followers_visibility, mutuals need both lists visible).';

/**
 * The read side of the graph over REST: lists, relationships, counters and suggestions for the
 * signed-in caller. Each handler parses, calls one use case and shapes the answer as docs/api.md writes it.
 */
@ApiTags('graph')
@ApiSignedIn()
@Controller(GRAPH_ROUTE_PREFIX)
export class GraphQueryController {
  constructor(
    private readonly lists: ListEdgesUseCase,
    private readonly relationships: GetRelationshipsUseCase,
    private readonly stats: GetStatsUseCase,
    private readonly recommendations: GetRecommendationsUseCase,
    private readonly firstPages: FirstPageCache,
  ) {}

  @Get('followers/:userId')
  @ApiOperation({ operationId: 'listFollowers', summary: 'Accepted followers of a user', description: `${PAGED} ${VISIBILITY} \`total\` comes from the exact counters.` })
  @ApiUserIdParam()
  @ApiOkResponse({ type: FollowersPageDto })
  @ApiErrors(...USER_LIST_ERRORS)
  @ApiPageQuery()
  async followers(
    @CurrentCaller() caller: Caller,
    @UserIdParam('userId') userId: UserId,
    @PageQuery() q: PageQueryParams,
    @FirstPageTicketOf() ticket?: FirstPageTicket,
  ): Promise<FollowersPageDto> {
    const list: FirstPageList = { kind: 'followers', userId: userId };
    return this.remembered(ticket, list, pageBody('followers', await this.page(caller, list, q)));
  }

  @Get('following/:userId')
  @ApiOperation({ operationId: 'listFollowing', summary: 'Accounts a user follows (accepted)', description: `${PAGED} ${VISIBILITY}` })
  @ApiUserIdParam()
  @ApiOkResponse({ type: FollowingPageDto })
  @ApiErrors(...USER_LIST_ERRORS)
  @ApiPageQuery()
  async following(
    @CurrentCaller() caller: Caller,
    @UserIdParam('userId') userId: UserId,
    @PageQuery() q: PageQueryParams,
    @FirstPageTicketOf() ticket?: FirstPageTicket,
  ): Promise<FollowingPageDto> {
    const list: FirstPageList = { kind: 'following', userId: userId };
    return this.remembered(ticket, list, pageBody('following', await this.page(caller, list, q)));
  }

  @Get('relationship/:userId')
  @ApiOperation({ operationId: 'getRelationship', summary: "The caller's relationship to a user", description: 'All flags are from the caller\'s side. A block either way makes `relationship` "blocked".' })
  @ApiUserIdParam()
  @ApiOkResponse({ type: RelationshipDto })
  @ApiErrors('INVALID_USER_ID')
  relationship(@CurrentCaller() caller: Caller, @UserIdParam('userId') userId: UserId): Promise<RelationshipDto> {
    return relationshipAnswer(this.relationships, caller.userId, userId);
  }

  @Get('relationships')
  @ApiOperation({
    operationId: 'getRelationships', summary: "The caller's relationship to up to 100 users",
    description: 'One database round trip whatever the number of ids; answered in the order asked (duplicates repeated). More than 100 ids: 400 TOO_MANY_IDS.',
  })
  @ApiOkResponse({ type: RelationshipsDto })
  @ApiErrors('INVALID_USER_ID', 'TOO_MANY_IDS', 'VALIDATION_FAILED')
  async relationshipsOf(@CurrentCaller() caller: Caller, @Query() q: RelationshipsQueryDto): Promise<RelationshipsDto> {
    if (q.ids === undefined || q.ids.trim() === '') throw new ValidationError('ids must list 1 to 100 user ids, comma-separated', 'ids');
    const rels = await this.relationships.execute({ viewerId: caller.userId, userIds: parseUserIdList(q.ids, 'ids') });
    return { relationships: rels.map(RelationshipDto.of) };
  }

  @Get('stats/:userId')
  @ApiOperation({
    operationId: 'getStats',
    summary: "A user's exact counters",
    description: 'Public, also for private accounts, unless the account sets hide_counts: then a count of a list you may not see is null, and pending_requests_count is null for everyone but the account.',
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: StatsDto })
  @ApiErrors('INVALID_USER_ID')
  statsOf(@CurrentCaller() caller: Caller, @UserIdParam('userId') userId: UserId): Promise<StatsDto> {
    return statsAnswer(this.stats, caller.userId, userId);
  }

  @Get('requests')
  @ApiOperation({ operationId: 'listIncomingRequests', summary: "The caller's incoming pending follow requests", description: PAGED })
  @ApiOkResponse({ type: RequestsPageDto })
  @ApiErrors(...PAGE_ERRORS)
  @ApiPageQuery()
  async incoming(@CurrentCaller() caller: Caller, @PageQuery() q: PageQueryParams): Promise<RequestsPageDto> {
    return pageBody('requests', await this.page(caller, { kind: 'incoming_requests', userId: caller.userId }, q));
  }

  @Get('requests/outgoing')
  @ApiOperation({ operationId: 'listOutgoingRequests', summary: "The caller's outgoing pending follow requests", description: PAGED })
  @ApiOkResponse({ type: RequestsPageDto })
  @ApiErrors(...PAGE_ERRORS)
  @ApiPageQuery()
  async outgoing(@CurrentCaller() caller: Caller, @PageQuery() q: PageQueryParams): Promise<RequestsPageDto> {
    return pageBody('requests', await this.page(caller, { kind: 'outgoing_requests', userId: caller.userId }, q));
  }

  @Get('blocks')
  @ApiOperation({ operationId: 'listBlocks', summary: 'Accounts the caller blocks', description: PAGED })
  @ApiOkResponse({ type: BlocksPageDto })
  @ApiErrors(...PAGE_ERRORS)
  @ApiPageQuery()
  async blocks(@CurrentCaller() caller: Caller, @PageQuery() q: PageQueryParams): Promise<BlocksPageDto> {
    return pageBody('blocks', await this.page(caller, { kind: 'blocks', userId: caller.userId }, q));
  }

  @Get('common-followers/:userA/:userB')
  @ApiOperation({
    operationId: 'listCommonFollowers', summary: 'Users who follow both A and B',
    description: `${PAGED} Ordered by their follow of A. The visibility rule applies to both A and B: ${VISIBILITY}`,
  })
  @ApiUserIdParam('userA')
  @ApiUserIdParam('userB')
  @ApiOkResponse({ type: FollowersPageDto })
  @ApiErrors(...USER_LIST_ERRORS)
  @ApiPageQuery()
  async commonFollowers(
    @CurrentCaller() caller: Caller,
    @UserIdParam('userA') userA: UserId,
    @UserIdParam('userB') userB: UserId,
    @PageQuery() q: PageQueryParams,
  ): Promise<FollowersPageDto> {
    const list: EdgeList = { kind: 'common_followers', userA: userA, userB: userB };
    return pageBody('followers', await this.page(caller, list, q));
  }

  @Get('known-followers/:userId')
  @ApiOperation({
    operationId: 'listKnownFollowers', summary: 'Followers of a user whom the caller follows',
    description: `For "followed by X, Y and 3 others". ${PAGED} ${VISIBILITY}`,
  })
  @ApiUserIdParam()
  @ApiOkResponse({ type: FollowersPageDto })
  @ApiErrors(...USER_LIST_ERRORS)
  @ApiPageQuery()
  async knownFollowers(@CurrentCaller() caller: Caller, @UserIdParam('userId') userId: UserId, @PageQuery() q: PageQueryParams): Promise<FollowersPageDto> {
    const list: EdgeList = { kind: 'known_followers', viewerId: caller.userId, userId: userId };
    return pageBody('followers', await this.page(caller, list, q));
  }

  @Get('mutuals/:userId')
  @ApiOperation({ operationId: 'listMutuals', summary: 'Followers of a user that the user follows back', description: `${PAGED} ${VISIBILITY}` })
  @ApiUserIdParam()
  @ApiOkResponse({ type: MutualsPageDto })
  @ApiErrors(...USER_LIST_ERRORS)
  @ApiPageQuery()
  async mutuals(@CurrentCaller() caller: Caller, @UserIdParam('userId') userId: UserId, @PageQuery() q: PageQueryParams): Promise<MutualsPageDto> {
    return pageBody('mutuals', await this.page(caller, { kind: 'mutuals', userId: userId }, q));
  }

  @Get('recommendations')
  @ApiOperation({
    operationId: 'getRecommendations', summary: 'Friend-of-friend suggestions for the caller',
    description:
      "Ranked by how many of the caller's followings follow each account (ties: smaller id), each with up to three of them (`sample_mutual_ids`). " +
      'Excludes the caller, accounts it follows or has a pending request to, accounts blocked either way, muted or dismissed (DELETE /recommendations/{id}). ' +
      'With `relative_to` ("people like X"): accounts followed by the followers of X instead, X excluded; X\'s followers must be visible to the caller (BLOCKED, PRIVATE_ACCOUNT). ' +
      'Bounded: only the most recent followings (or followers of X) (RECOMMENDATION_RECENT_FOLLOWINGS) and each one\'s most recent followings ' +
      '(RECOMMENDATION_PER_FOLLOWING) are explored. `limit` 1–50 (default 10).',
  })
  @ApiOkResponse({ type: RecommendationsDto })
  @ApiErrors('VALIDATION_FAILED', 'INVALID_USER_ID', 'BLOCKED', 'PRIVATE_ACCOUNT')
  async suggestions(@CurrentCaller() caller: Caller, @Query() q: RecommendationsQueryDto): Promise<RecommendationsDto> {
    const relativeTo = q.relative_to === undefined ? undefined : parseUserId(q.relative_to, 'relative_to');
    const recs = await this.recommendations.execute({ userId: caller.userId, limit: limitOf(q.limit), relativeTo });
    return { recommendations: recs.map(RecommendationDto.of) };
  }

  /**
   * A first page rendered after a FirstPageShortcut miss is stored for the next callers (in the
   * background; refused by the cache when a write came in between). The stored bytes are what the
   * framework sends: JSON.stringify of the same object.
   */
  private remembered<T extends object>(ticket: FirstPageTicket | undefined, list: FirstPageList, body: T): T {
    if (ticket && ticket.list.kind === list.kind && ticket.list.userId === list.userId) void this.firstPages.remember(ticket, JSON.stringify(body));
    return body;
  }

  private page(caller: Caller, list: EdgeList, q: PageQueryParams) {
    return this.lists.execute({ viewerId: caller.userId, list, cursor: q.cursor, limit: limitOf(q.limit) });
  }
}
