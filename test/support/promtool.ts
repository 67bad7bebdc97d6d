import { spawnSync } from 'node:child_process';
import { commandFromDebianPackage } from './debian-package';

let cached: string | null | undefined;

/**
 * The path of promtool, installing Debian's `prometheus` package when it is missing and apt-get
 * can run (as root); null, with the reason printed once, when it cannot be had.
 */
export function promtool(): string | null {
  if (cached !== undefined) return cached;
  cached = commandFromDebianPackage('promtool', 'prometheus');
  if (!cached) process.stderr.write('promtool is not installed and could not be (apt-get install -y prometheus): the promtool checks are SKIPPED\n');
  return cached;
}

/** Runs promtool with `args` (and `input` on stdin): its exit status and everything it printed. */
export function runPromtool(args: string[], input?: string): { status: number; output: string } {
  const run = spawnSync(promtool()!, args, { input, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}`.trim() };
}
