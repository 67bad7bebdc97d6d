import { readFileSync } from 'node:fs';

export interface ProcessCpu {
  /** User + kernel CPU seconds used so far. */
  total: number;
  /** Kernel CPU seconds (socket writes to loopback run the receiver's side of the path too). */
  system: number;
}

/** The CPU a process has used so far, from /proc (Linux); NaN when it cannot be read. */
export function processCpu(pid: number): ProcessCpu {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const [user, system] = [Number(fields[11]) / 100, Number(fields[12]) / 100];
    return { total: user + system, system };
  } catch {
    return { total: Number.NaN, system: Number.NaN };
  }
}
