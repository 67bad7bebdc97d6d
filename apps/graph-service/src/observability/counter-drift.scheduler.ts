import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CheckCounterDriftUseCase } from '@graph/application';
import { MetricsRegistry } from '@graph/infrastructure';
import { AppConfig } from '../config/app-config';

/**
 * The scheduled consistency check: every CONSISTENCY_CHECK_INTERVAL_SECONDS (0, the default, turns
 * it off) the whole drift check runs in keyset batches and its count of drifted users is exported as
 * `graph_stats_drift_users`. Checks never overlap; a failed one is logged and the gauge keeps its value.
 */
@Injectable()
export class CounterDriftScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CounterDrift');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly gauge;

  constructor(
    private readonly config: AppConfig,
    private readonly check: CheckCounterDriftUseCase,
    metrics: MetricsRegistry,
  ) {
    this.gauge = metrics.gauge('graph_stats_drift_users', 'Users whose stored counters differed from a recount at the last scheduled check');
  }

  onApplicationBootstrap(): void {
    const seconds = this.config.consistencyCheckIntervalSeconds;
    if (seconds <= 0) return;
    this.timer = setInterval(() => void this.runOnce(), seconds * 1000);
    this.timer.unref();
  }

  /** One check now (skipped when one is still running). */
  async runOnce(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        const outcome = await this.check.execute();
        this.gauge.set(outcome.drifted);
        if (outcome.drifted > 0) this.logger.warn(`counter drift: ${outcome.drifted} of ${outcome.checked} users (repair: POST /api/v1/admin/graph/consistency/repairs)`);
      } catch (error) {
        this.logger.warn(`the scheduled drift check failed: ${(error as Error).message}`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
