import { freePort, portOpen } from '../../test/support/spare-services';

let next = 0;

/**
 * A free port for a process the bench starts: from BENCH_PORTS (`from-to`, e.g. 25000-25999, so a
 * shared machine's port plan is kept) when set, else any free port.
 */
export async function benchPort(range = process.env.BENCH_PORTS): Promise<number> {
  if (!range) return freePort();
  const [from, to] = range.split('-').map(Number) as [number, number];
  for (let tries = 0; tries <= to - from; tries++) {
    const port = from + (next++ % (to - from + 1));
    if (!(await portOpen('127.0.0.1', port))) return port;
  }
  throw new Error(`no free port in BENCH_PORTS ${range}`);
}
