import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Stops the broker only if this run started it (CI); a broker that was already running stays. */
export default async function globalTeardown(): Promise<void> {
  const port = (globalThis as { __kafkaStartedByTests?: string }).__kafkaStartedByTests;
  if (port && process.env.CI) {
    execFileSync('bash', [join(__dirname, '../../scripts/kafka.sh'), 'stop'], { stdio: 'inherit', env: { ...process.env, KAFKA_PORT: port } });
  }
}
