import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Shortened runs of `npm run fuzz` and `npm run chaos` (their full runs and figures are in
 * docs/reliability.md). Each starts PostgreSQL, Redis and Kafka of its own on spare ports
 * (TEST_SPARE_PORT_BASE, if set, picks them: fuzz from it, chaos from it + 100).
 */
const ROOT = join(__dirname, '../..');
const base = process.env.TEST_SPARE_PORT_BASE ? Number(process.env.TEST_SPARE_PORT_BASE) : null;

function run(script: 'fuzz' | 'chaos', args: string[]): { status: number | null; out: string } {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', join(ROOT, `scripts/${script}/run.ts`), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 280000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
  return { status: result.status, out: `${result.stdout}\n${result.stderr}` };
}

describe('reliability suites (short runs)', () => {
  it('fuzz: malformed HTTP on both adapters and malformed Kafka messages, no 5xx, no hang, documented shape, no state change', () => {
    const { status, out } = run('fuzz', ['--requests', '1500', '--kafka-messages', '120', ...(base ? ['--base-port', String(base)] : [])]);
    expect(out).toMatch(/PASS state: unchanged/);
    expect(out).toMatch(/PASS kafka/);
    // The whole verdict, with its failures listed, when anything is wrong.
    expect({ status, verdict: out.split('\n').filter((l) => /PASS|FAIL|app-level|framework|^\s+\w+:/.test(l)) }).toMatchObject({ status: 0 });
  }, 300000);

  it('chaos self-test: each deliberate corruption of the database is reported', () => {
    const { status, out } = run('chaos', ['--self-test', '--workers', '8', '--recover', '3', ...(base ? ['--base-port', String(base + 100)] : [])]);
    expect(out).toMatch(/deleted acknowledged follow \S+ REPORTED; bumped counter REPORTED; edge without event REPORTED/);
    expect(status).toBe(0);
  }, 300000);

  it('chaos: SIGKILL and SIGSTOP of PostgreSQL and the service under load lose nothing and drift nothing', () => {
    const { status, out } = run('chaos', ['--only', 'postgres,service', '--workers', '8', '--outage', '3', '--recover', '3', ...(base ? ['--base-port', String(base + 200)] : [])]);
    expect(out).toMatch(/lost 0; counter rows that differ from a recount 0/);
    expect(out).toMatch(/missing 0; phantom 0; accepted edges without their event 0; out of order per follower 0/);
    expect({ status, out: out.slice(-3000) }).toMatchObject({ status: 0 });
  }, 300000);
});
