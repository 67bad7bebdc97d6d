/**
 * The scale tests run at full load in `npm run test:scale` (SCALE_TEST_LOAD=full) and at a light
 * load in `npm test` (or run directly with jest). TEST_SCALE_PORT_BASE puts the engines they start on fixed ports (each test
 * takes its own block of 100 from it); without it they pick free ports.
 */
export const fullLoad = process.env.SCALE_TEST_LOAD === 'full';

export function scalePorts(offset: number): number | undefined {
  const base = process.env.TEST_SCALE_PORT_BASE;
  return base ? Number(base) + offset : undefined;
}

/** Runs `work` every `everyMs` until stop() (each run waits for the previous one). */
export function repeat(work: () => Promise<void>, everyMs: number): { stop: () => Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      await work();
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (Date.now() - started))));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

export interface TimedCall {
  sentAt: number;
  doneAt: number;
  ok: boolean;
  error?: string;
}

/**
 * How long calls failed around `since`: from `since` to the end of the first successful call sent
 * after the last failed one (0 when none failed).
 */
export function outageWindowMs(calls: TimedCall[], since: number): number {
  const failed = calls.filter((c) => !c.ok && c.doneAt >= since);
  if (failed.length === 0) return 0;
  const lastFailedSend = Math.max(...failed.map((c) => c.sentAt));
  const recovered = calls.filter((c) => c.ok && c.sentAt > lastFailedSend).map((c) => c.doneAt);
  return recovered.length ? Math.min(...recovered) - since : Number.POSITIVE_INFINITY;
}
