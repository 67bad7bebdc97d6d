import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InfrastructureOptions } from '../infrastructure.options';
import { ComponentHealth, DependencyProbe, withDeadline } from '../observability/dependency-health';
import { MetricsRegistry } from '../observability/metrics.registry';
import { PostgresBreaker } from './postgres-breaker';
import { ReadReplicas } from './read-replicas';
import { EmbeddedPostgresHandle, createDataSource, runMigrations, startEmbeddedPostgres } from './data-source';

/**
 * Owns the database: starts the embedded cluster when no DATABASE_URL is given, opens the pool,
 * applies migrations if asked, and closes everything last at shutdown (after workers stopped in
 * beforeApplicationShutdown).
 */
export class PostgresConnection implements OnApplicationShutdown {
  private static readonly logger = new Logger('Postgres');

  private constructor(
    readonly dataSource: DataSource,
    readonly mode: 'external' | 'embedded',
    private readonly embedded: EmbeddedPostgresHandle | null,
    readonly breaker: PostgresBreaker,
    /** DATABASE_REPLICA_URLS' pools and their health; null without replicas. */
    readonly replicas: ReadReplicas | null,
  ) {}

  static async open(options: InfrastructureOptions, metrics: MetricsRegistry | null = null): Promise<PostgresConnection> {
    const db = options.database;
    let embedded: EmbeddedPostgresHandle | null = null;
    let url: string;
    if (db.mode === 'embedded') {
      embedded = await startEmbeddedPostgres(db, (m) => this.logger.warn(m));
      url = embedded.url;
      this.logger.log(`postgres: embedded server on 127.0.0.1:${db.port}, data in ${db.dataDir}`);
    } else {
      url = db.url;
      this.logger.log(`postgres: external (${new URL(url).host}${new URL(url).pathname})`);
    }
    const dataSource = createDataSource(url, db.poolSize, db.statementTimeoutMs, db.waits);
    await dataSource.initialize();
    const breaker = new PostgresBreaker(url, db.waits, metrics);
    breaker.guard(dataSource);
    if (options.runMigrations || db.mode === 'embedded') {
      const applied = await runMigrations(dataSource);
      if (applied.length > 0) this.logger.log(`postgres: applied migrations ${applied.join(', ')}`);
    }
    const replicas =
      db.mode === 'external' && db.replicas && db.replicas.urls.length > 0
        ? await ReadReplicas.open(dataSource, db.replicas, metrics, db)
        : null;
    if (replicas) this.logger.log(`postgres: ${replicas.size} read replica(s) for reads that tolerate lag`);
    return new PostgresConnection(dataSource, db.mode, embedded, breaker, replicas);
  }

  async onApplicationShutdown(): Promise<void> {
    this.breaker.stop();
    await this.replicas?.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    if (this.embedded) await this.embedded.stop();
  }
}

export class PostgresProbe extends DependencyProbe {
  readonly name = 'postgres';

  constructor(private readonly connection: PostgresConnection) {
    super();
  }

  async check(): Promise<ComponentHealth> {
    if (this.connection.breaker.isOpen) return { status: 'down', mode: this.connection.mode, detail: 'breaker open: the database did not answer' };
    try {
      await withDeadline(1000, this.connection.dataSource.query('SELECT 1'));
      return { status: 'up', mode: this.connection.mode };
    } catch (error) {
      return { status: 'down', mode: this.connection.mode, detail: (error as Error).message };
    }
  }
}
