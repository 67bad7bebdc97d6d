import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  it('opens after consecutive failures, lets one probe through after the open period, closes on its success', () => {
    let now = 0;
    const changes: boolean[] = [];
    const b = new CircuitBreaker({ failureThreshold: 3, openMs: 1000, now: () => now }, (open) => changes.push(open));
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.isClosed).toBe(true);
    b.failure();
    expect(b.isClosed).toBe(false);
    expect(b.shouldProbe()).toBe(false);
    now = 1000;
    expect(b.shouldProbe()).toBe(true);
    expect(b.shouldProbe()).toBe(false);
    b.probeFailed();
    now = 1500;
    expect(b.shouldProbe()).toBe(false);
    now = 2000;
    expect(b.shouldProbe()).toBe(true);
    b.probeSucceeded();
    expect(b.isClosed).toBe(true);
    expect(changes).toEqual([true, false]);
  });

  it('lets an owner that times the open period itself start one probe, whatever its own clock says', () => {
    const now = 0;
    const b = new CircuitBreaker({ failureThreshold: 1, openMs: 1000, now: () => now });
    expect(b.startProbe()).toBe(false);
    b.trip();
    expect(b.startProbe()).toBe(true);
    expect(b.startProbe()).toBe(false);
    expect(b.shouldProbe()).toBe(false);
    b.probeFailed();
    expect(b.startProbe()).toBe(true);
    b.probeSucceeded();
    expect(b.isClosed).toBe(true);
    expect(b.startProbe()).toBe(false);
  });

  it('trips at once when told to', () => {
    const b = new CircuitBreaker({ failureThreshold: 3, openMs: 1000 });
    b.trip();
    expect(b.isClosed).toBe(false);
  });
});
