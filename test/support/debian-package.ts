import { execFileSync, spawnSync } from 'node:child_process';

function which(cmd: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : null;
}

/**
 * The path of `command`, installing Debian's `debianPackage` with apt-get when it is missing and
 * apt-get can run (as root); null when it cannot be had.
 */
export function commandFromDebianPackage(command: string, debianPackage: string): string | null {
  const found = which(command);
  if (found || !which('apt-get') || process.getuid?.() !== 0) return found;
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', debianPackage], { stdio: 'ignore', timeout: 900_000 });
  } catch {
    // the caller reports the missing command
  }
  return which(command);
}
