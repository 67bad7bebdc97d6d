import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';

/**
 * Runs a sweep every `intervalSeconds` (0: never): expired mutes (each with its `expired` event on
 * graph.mute; reads already treat them as unmuted) and expired follow requests (each with its
 * unfollow event, reason `expired`). Every instance may run them (the sweeps delete each row once).
 * A failed round is logged and retried at the next tick; a round still running skips the tick.
 */
export class PeriodicSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  /** @param what what is swept, for the log ("expired mutes") */
  constructor(
    private readonly what: string,
    private readonly sweep: () => Promise<{ swept: number }>,
    private readonly intervalSeconds: number,
  ) {
    this.logger = new Logger(`PeriodicSweeper(${what})`);
  }

  onApplicationBootstrap(): void {
    if (this.intervalSeconds === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .then(({ swept }) => {
          if (swept > 0) this.logger.log(`deleted ${swept} ${this.what}`);
        })
        .catch((error: unknown) => this.logger.warn(`sweep of ${this.what} failed: ${(error as Error).message}`))
        .finally(() => (this.running = undefined));
    }, this.intervalSeconds * 1000);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
