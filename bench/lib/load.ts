import { LatencySummary, summarize } from './stats';

export interface LoadResult {
  name: string;
  concurrency: number;
  ops: number;
  errors: number;
  firstError?: string;
  seconds: number;
  opsPerSec: number;
  latency: LatencySummary;
}

export interface LoadOptions {
  name: string;
  concurrency: number;
  /** Stop after this many operations in total... */
  operations?: number;
  /** ...or after this long, whichever comes first. */
  durationMs?: number;
  /** Operations before measuring starts (warm-up), one at a time, not counted. */
  warmup?: number;
  /**
   * Then this long at full concurrency, not counted either: what a long-running service has done by
   * now (the optimizing compiler has the hot paths; the broker's JVM too), which 100 sequential
   * calls are not.
   */
  warmupMs?: number;
  /** Called once warm-up is over, right before the measured window (readings to subtract). */
  beforeMeasure?: () => Promise<void> | void;
  /** Open-loop pacing: start at most this many operations per second (closed loop when absent). */
  ratePerSec?: number;
}

/**
 * Drives `op` with `concurrency` workers (closed loop: each worker starts its next operation when the
 * last one ends, unless `ratePerSec` paces them) and measures every operation's latency.
 * `op(i)` gets a global sequence number so scenarios can pick distinct users per call.
 */
export async function runLoad(options: LoadOptions, op: (i: number) => Promise<void>): Promise<LoadResult> {
  let seq = 0;
  for (let w = 0; w < (options.warmup ?? 0); w++) await op(seq++).catch(() => undefined);
  if (options.warmupMs) {
    const warmUntil = Date.now() + options.warmupMs;
    const warm = async () => {
      while (Date.now() < warmUntil) await op(seq++).catch(() => undefined);
    };
    await Promise.all(Array.from({ length: options.concurrency }, warm));
  }
  await options.beforeMeasure?.();
  // Collect the load generator's own garbage first (node --expose-gc, as npm run bench runs), so a
  // major GC of the bench process is less likely to land in the measured window.
  (globalThis as { gc?: () => void }).gc?.();
  const limit = options.operations ?? Number.POSITIVE_INFINITY;
  const deadline = options.durationMs ? Date.now() + options.durationMs : Number.POSITIVE_INFINITY;
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let started = 0;
  const t0 = process.hrtime.bigint();
  const interval = options.ratePerSec ? 1e9 / options.ratePerSec : 0;
  const worker = async () => {
    for (;;) {
      if (started >= limit || Date.now() >= deadline) return;
      const index = started++;
      if (interval) {
        const due = t0 + BigInt(Math.round(index * interval));
        const wait = Number(due - process.hrtime.bigint()) / 1e6;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const begin = process.hrtime.bigint();
      try {
        await op(seq++);
        samples.push(Number(process.hrtime.bigint() - begin) / 1e6);
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    name: options.name,
    concurrency: options.concurrency,
    ops: samples.length,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds,
    opsPerSec: samples.length / seconds,
    latency: summarize(samples),
  };
}

export interface OpenLoadOptions {
  name: string;
  /** Arrivals per second, started on schedule whether or not earlier ones have finished. */
  ratePerSec: number;
  durationMs: number;
  /** Arrivals beyond this many in flight are counted as errors instead of piling up without bound. */
  maxInFlight?: number;
}

/**
 * Fixed arrival rate (open loop): operation k is due at t0 + k / rate and its latency is measured
 * from when it was due, not from when it started, so a stall shows in every arrival it delays
 * (no coordinated omission, unlike a closed loop that waits for the service).
 */
export async function runOpenLoad(options: OpenLoadOptions, op: (i: number) => Promise<void>): Promise<LoadResult> {
  (globalThis as { gc?: () => void }).gc?.();
  const samples: number[] = [];
  const maxInFlight = options.maxInFlight ?? 2000;
  let errors = 0;
  let firstError: string | undefined;
  let inFlight = 0;
  let index = 0;
  const total = Math.floor((options.ratePerSec * options.durationMs) / 1000);
  const intervalNs = 1e9 / options.ratePerSec;
  const t0 = process.hrtime.bigint();
  const running: Promise<void>[] = [];
  const launch = (k: number, dueNs: bigint) => {
    if (inFlight >= maxInFlight) {
      errors++;
      firstError ??= `more than ${maxInFlight} arrivals in flight`;
      return;
    }
    inFlight++;
    running.push(
      op(k).then(
        () => {
          inFlight--;
          samples.push(Number(process.hrtime.bigint() - dueNs) / 1e6);
        },
        (error: unknown) => {
          inFlight--;
          errors++;
          firstError ??= (error as Error).message;
        },
      ),
    );
  };
  while (index < total) {
    const now = process.hrtime.bigint();
    // Start every arrival already due (a late timer launches the backlog at once, each with its own due time).
    while (index < total) {
      const due = t0 + BigInt(Math.round(index * intervalNs));
      if (due > now) break;
      launch(index++, due);
    }
    if (index < total) await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(running);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    name: options.name,
    concurrency: maxInFlight,
    ops: samples.length,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds,
    opsPerSec: samples.length / seconds,
    latency: summarize(samples),
  };
}
