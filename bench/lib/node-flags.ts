import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The node flags `npm start` runs the service with (the `start` script of package.json), so that the
 * bench runs the service as deployed, and the processes it is compared with (the bare route, the
 * raw kafkajs echo) under the same flags.
 */
export function serviceNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
}
