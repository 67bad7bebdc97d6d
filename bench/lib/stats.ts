/** Latency samples in milliseconds → the figures the report prints. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samplesMs: number[]): LatencySummary {
  if (samplesMs.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const sorted = Float64Array.from(samplesMs).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const sum = samplesMs.reduce((a, b) => a + b, 0);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1]!, mean: sum / sorted.length };
}

/** Zipf(s) sampler over ranks 1..n (rank 1 most popular), by inverse CDF on a precomputed table. */
export class Zipf {
  private readonly cdf: Float64Array;

  constructor(
    readonly n: number,
    readonly s: number,
    private readonly random: () => number = Math.random,
  ) {
    this.cdf = new Float64Array(n);
    let total = 0;
    for (let k = 1; k <= n; k++) {
      total += 1 / Math.pow(k, s);
      this.cdf[k - 1] = total;
    }
    for (let i = 0; i < n; i++) this.cdf[i]! /= total;
  }

  /** A rank in [0, n): 0 is the most popular. */
  next(): number {
    const u = this.random();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Deterministic PRNG (mulberry32) so generated graphs are the same run to run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
