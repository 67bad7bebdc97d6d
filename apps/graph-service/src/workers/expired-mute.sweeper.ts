import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SweepExpiredMutesUseCase } from '@graph/application';

/**
 * Deletes expired mutes every `intervalSeconds` (0: never), each with its `expired` event on
 * graph.mute. Reads never wait for it: an expired mute reads as unmuted from its expiry on. Every
 * instance may run it (the sweep skips rows another one holds). A failed round is logged and retried
 * at the next tick.
 */
export class ExpiredMuteSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ExpiredMuteSweeper');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly sweep: SweepExpiredMutesUseCase,
    private readonly intervalSeconds: number,
  ) {}

  onApplicationBootstrap(): void {
    if (this.intervalSeconds === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep
        .execute()
        .then(({ swept }) => {
          if (swept > 0) this.logger.log(`deleted ${swept} expired mutes`);
        })
        .catch((error: unknown) => this.logger.warn(`expired-mute sweep failed: ${(error as Error).message}`))
        .finally(() => (this.running = undefined));
    }, this.intervalSeconds * 1000);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
