/**
 * Whether this instance still wants traffic. SIGTERM flips it (main.ts) so /health/ready answers
 * 503 at once and an orchestrator takes the instance out of rotation while it keeps serving the
 * requests already routed to it, for the drain delay.
 */
export class ServiceLifecycle {
  private drainingSince: number | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  beginDrain(): void {
    this.drainingSince ??= Date.now();
  }
}
