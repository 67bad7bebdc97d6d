import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';

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

/** CPU seconds used so far by every process of the machine, grouped: the service, the bench itself, and by command name. */
export function cpuByProcess(servicePid: number): Map<string, number> {
  const groups = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
      const pid = Number(entry);
      const group =
        pid === servicePid ? 'service' : pid === process.pid ? 'load generator' : comm === 'java' ? 'kafka' : comm.startsWith('kworker') ? 'kernel workers' : comm;
      groups.set(group, (groups.get(group) ?? 0) + seconds);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return groups;
}

/**
 * What each group used between two cpuByProcess snapshots, in µs per call (`perCall`, e.g. its
 * 'service'), and a note listing them biggest first with the sum and the calls per second the
 * machine's cores allow at that sum (the CPU ceiling of the path).
 */
export function cpuPerCall(before: Map<string, number>, after: Map<string, number>, calls: number): { note: string; ceiling: number; perCall: Map<string, number> } {
  const perCall = new Map([...after].map(([group, s]) => [group, (1e6 * (s - (before.get(group) ?? 0))) / calls] as const));
  const used = [...perCall].filter(([, us]) => us >= 5).sort((a, b) => b[1] - a[1]);
  const total = used.reduce((sum, [, us]) => sum + us, 0);
  const ceiling = (cpus().length * 1e6) / total;
  return {
    note: `CPU per call: ${used.map(([g, us]) => `${g} ${us.toFixed(0)}`).join(', ')} µs; all ${total.toFixed(0)} µs → ${cpus().length} cores allow ${ceiling.toFixed(0)}/s`,
    ceiling,
    perCall,
  };
}
