import { DataSource } from 'typeorm';
import { Cluster, Redis } from 'ioredis';
import { MetricsRegistry } from './metrics.registry';
import { withDeadline } from './dependency-health';

/** The pg pool under TypeORM's Postgres driver (its counters are plain properties). */
interface PgPoolFigures {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max: number };
}

/**
 * Dependency figures the alert rules need and no other component reports: the Postgres pool's
 * use (ops/prometheus/graph-service.rules.yml: pool usage > 90 %) and Redis evictions against the
 * keys it holds (eviction rate > 10 %). Read at scrape time; a Redis that does not answer within
 * a second leaves the last values.
 */
export class DependencyMetrics {
  private lastEvicted: number | null = null;

  constructor(metrics: MetricsRegistry, dataSource: DataSource, redis: Redis | Cluster | null) {
    const pool = () => (dataSource.driver as unknown as { master?: PgPoolFigures }).master;
    metrics.gauge('graph_db_pool_connections_max', 'Size of the Postgres connection pool', [], function () {
      const p = pool();
      if (p) this.set(p.options.max);
    });
    metrics.gauge('graph_db_pool_connections_in_use', 'Postgres pool connections checked out by a query or transaction', [], function () {
      const p = pool();
      if (p) this.set(p.totalCount - p.idleCount);
    });
    metrics.gauge('graph_db_pool_waiting_clients', 'Callers waiting for a free Postgres pool connection', [], function () {
      const p = pool();
      if (p) this.set(p.waitingCount);
    });
    if (!redis) return;
    const evictions = metrics.counter('graph_cache_evictions_total', 'Keys Redis evicted to stay under its maxmemory (from INFO stats)');
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    metrics.gauge('graph_cache_keys', 'Keys held in the Redis database of the cache', [], async function () {
      // On a cluster: the sum over its masters (each holds its own slots).
      const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
      const figures = await withDeadline(1000, Promise.all(nodes.map((n) => Promise.all([n.info('stats'), n.dbsize()])))).catch(() => null);
      if (!figures) return;
      this.set(figures.reduce((sum, [, keys]) => sum + keys, 0));
      const evicted = figures.reduce((sum, [stats]) => sum + Number(/^evicted_keys:(\d+)/m.exec(stats)?.[1] ?? NaN), 0);
      if (!Number.isFinite(evicted)) return;
      // INFO reports a running total since Redis started: add what it grew by (all of it after a Redis restart).
      const grown = self.lastEvicted === null ? 0 : evicted >= self.lastEvicted ? evicted - self.lastEvicted : evicted;
      if (grown > 0) evictions.inc(grown);
      self.lastEvicted = evicted;
    });
  }
}
