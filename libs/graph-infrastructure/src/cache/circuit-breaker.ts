export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one probe may close it. */
  openMs: number;
  now?: () => number;
}

/**
 * Closed → (failures) → open for `openMs` → one probe → closed again, or open for another period.
 * The owner runs the probe; while open every call is refused at once, so a dead dependency costs
 * nothing per call.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private state: 'closed' | 'open' | 'probing' = 'closed';
  private readonly now: () => number;

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly onChange: (open: boolean) => void = () => undefined,
  ) {
    this.now = options.now ?? Date.now;
  }

  get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** True once per open period, when the period is over: the caller must then probe and report. */
  shouldProbe(): boolean {
    if (this.state !== 'open' || this.now() < this.openUntil) return false;
    this.state = 'probing';
    return true;
  }

  /**
   * For an owner that times the open period with a timer of its own: true when open and not
   * already probing. (A timer can fire a millisecond before `Date.now()` says the period is over,
   * which with shouldProbe() cost a whole extra period.)
   */
  startProbe(): boolean {
    if (this.state !== 'open') return false;
    this.state = 'probing';
    return true;
  }

  success(): void {
    if (this.state === 'closed') this.failures = 0;
  }

  failure(): void {
    if (this.state !== 'closed') return;
    this.failures += 1;
    if (this.failures >= this.options.failureThreshold) this.trip();
  }

  /** Opens at once (a failure that may have lost an invalidation, or a dropped connection). */
  trip(): void {
    const wasClosed = this.state === 'closed';
    this.state = 'open';
    this.failures = 0;
    this.openUntil = this.now() + this.options.openMs;
    if (wasClosed) this.onChange(true);
  }

  probeSucceeded(): void {
    this.state = 'closed';
    this.failures = 0;
    this.onChange(false);
  }

  probeFailed(): void {
    this.state = 'open';
    this.openUntil = this.now() + this.options.openMs;
  }
}
