import { Counter, Gauge } from 'prom-client';
import { MetricsRegistry } from '../observability/metrics.registry';
import { CacheFamily } from './graph-cache.store';

export const CACHE_FAMILIES: readonly CacheFamily[] = ['followers', 'following', 'relationship', 'stats', 'settings', 'suggestions', 'mutes'];

export interface CacheFamilyFigures {
  family: CacheFamily;
  hits: number;
  misses: number;
  /** Calls served from Postgres because the cache could not be used (breaker open, Redis error). */
  bypassed: number;
}

/**
 * Hit, miss and bypass counters per key family on /metrics, plus the breaker state and epoch bumps.
 * Also kept in process for the admin hit-rate report.
 */
export class GraphCacheMetrics {
  private readonly hits: Counter<'family'>;
  private readonly misses: Counter<'family'>;
  private readonly bypasses: Counter<'family'>;
  private readonly errors: Counter<'operation'>;
  private readonly epochBumps: Counter;
  private readonly breakerOpen: Gauge;
  private readonly figures = new Map<CacheFamily, CacheFamilyFigures>(
    CACHE_FAMILIES.map((family) => [family, { family, hits: 0, misses: 0, bypassed: 0 }]),
  );

  constructor(metrics: MetricsRegistry) {
    this.hits = metrics.counter('graph_cache_hits_total', 'Cache reads answered from the cache', ['family']);
    this.misses = metrics.counter('graph_cache_misses_total', 'Cache reads that went to Postgres', ['family']);
    this.bypasses = metrics.counter('graph_cache_bypass_total', 'Reads served from Postgres because the cache was unavailable', ['family']);
    this.errors = metrics.counter('graph_cache_errors_total', 'Failed cache store calls', ['operation']);
    this.epochBumps = metrics.counter('graph_cache_epoch_bumps_total', 'Times the cache epoch moved (everything cached before is ignored)');
    this.breakerOpen = metrics.gauge('graph_cache_breaker_open', '1 while the cache circuit breaker is open (all reads from Postgres)');
    for (const family of CACHE_FAMILIES) {
      this.hits.inc({ family }, 0);
      this.misses.inc({ family }, 0);
      this.bypasses.inc({ family }, 0);
    }
    this.breakerOpen.set(0);
  }

  hit(family: CacheFamily, n = 1): void {
    if (n <= 0) return;
    this.hits.inc({ family }, n);
    this.figures.get(family)!.hits += n;
  }

  miss(family: CacheFamily, n = 1): void {
    if (n <= 0) return;
    this.misses.inc({ family }, n);
    this.figures.get(family)!.misses += n;
  }

  bypass(family: CacheFamily, n = 1): void {
    if (n <= 0) return;
    this.bypasses.inc({ family }, n);
    this.figures.get(family)!.bypassed += n;
  }

  error(operation: string): void {
    this.errors.inc({ operation });
  }

  breaker(open: boolean): void {
    this.breakerOpen.set(open ? 1 : 0);
  }

  epochBumped(): void {
    this.epochBumps.inc();
  }

  snapshot(): CacheFamilyFigures[] {
    return CACHE_FAMILIES.map((f) => ({ ...this.figures.get(f)! }));
  }
}
