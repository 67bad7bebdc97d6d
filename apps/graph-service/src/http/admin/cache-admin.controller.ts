import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { EvictUserCacheUseCase, GetCacheHitRatesUseCase, InvalidateCacheUseCase, WarmCacheUseCase } from '@graph/application';
import { UserId } from '@graph/domain';
import { ApiErrors, ApiUserIdParam, JSON_BODY_ERRORS } from '../common/api-docs.decorators';
import { UserIdParam } from '../common/user-id.pipe';
import { FirstPageWarmer } from '../first-page/first-page.warmer';
import { ADMIN_PREFIX, AdminApi } from './admin-api.decorators';
import { DoneDto, HitRatesDto, WarmCacheBodyDto, WarmCacheDto } from './admin.dto';

/** The read cache: warm, evict, drop, hit rates. */
@AdminApi()
@Controller(`${ADMIN_PREFIX}/cache`)
export class CacheAdminController {
  constructor(
    private readonly warm: WarmCacheUseCase,
    private readonly evict: EvictUserCacheUseCase,
    private readonly invalidate: InvalidateCacheUseCase,
    private readonly hitRates: GetCacheHitRatesUseCase,
    private readonly firstPages: FirstPageWarmer,
  ) {}

  @Post('warm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Warm the most-followed users',
    description: 'Loads stats, settings and the first followers page of the `count` most-followed users, and stores the rendered first page (the response body) for the public ones.',
  })
  @ApiOkResponse({ type: WarmCacheDto })
  @ApiErrors(...JSON_BODY_ERRORS)
  async warmCache(@Body() body: WarmCacheBodyDto): Promise<WarmCacheDto> {
    const { warmedUserIds } = await this.warm.execute({ count: body.count });
    return { warmed_user_ids: warmedUserIds, rendered_pages: await this.firstPages.warm(warmedUserIds) };
  }

  @Delete('users/:userId')
  @HttpCode(200)
  @ApiOperation({ summary: "Evict one user's cache entries", description: 'Lists, stats, settings, blocks, mutes and suggestions of the user (relationships expire by their TTL).' })
  @ApiUserIdParam()
  @ApiOkResponse({ type: DoneDto })
  @ApiErrors('INVALID_USER_ID')
  async evictUserCache(@UserIdParam('userId') userId: UserId): Promise<DoneDto> {
    await this.evict.execute({ userId });
    return { success: true };
  }

  @Delete()
  @HttpCode(200)
  @ApiOperation({ summary: 'Drop the whole cache', description: 'Bumps the cache epoch: every entry written before is never read again and expires by its TTL.' })
  @ApiOkResponse({ type: DoneDto })
  async invalidateCache(): Promise<DoneDto> {
    await this.invalidate.execute();
    return { success: true };
  }

  @Get('hit-rates')
  @ApiOperation({ summary: 'Cache hit rates per key family', description: 'Counted by this instance since it started.' })
  @ApiOkResponse({ type: HitRatesDto })
  async getCacheHitRates(): Promise<HitRatesDto> {
    const families = await this.hitRates.execute();
    return { families: families.map((f) => ({ family: f.family, hits: f.hits, misses: f.misses, bypassed: f.bypassed, hit_rate: f.hitRate })) };
  }
}
