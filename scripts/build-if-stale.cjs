#!/usr/bin/env node
// `npm start` runs this first: builds dist/ only when a source or build setting changed since the
// last successful build (dist/.build-stamp), so a restart does not pay for a build it does not need.
// `npm run build` runs it with --force. `npm run start:prod` never builds.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const SOURCES = ['apps', 'libs', 'migrations'];
const SETTINGS = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];
const STAMP = join('dist', '.build-stamp');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  let best = { path, mtimeMs: 0 };
  for (const entry of readdirSync(path)) {
    const found = newest(join(path, entry));
    if (found.mtimeMs > best.mtimeMs) best = found;
  }
  return best;
}

/** Why `root` needs a build, or null when its last build is newer than every input. */
function staleReason(root) {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp)) return 'no completed build in dist/';
  const built = statSync(stamp).mtimeMs;
  for (const input of [...SOURCES, ...SETTINGS]) {
    const path = join(root, input);
    if (!existsSync(path)) continue;
    const found = newest(path);
    if (found.mtimeMs > built) return `${found.path.slice(root.length + 1)} changed since the last build`;
  }
  return null;
}

module.exports = { staleReason, STAMP };

if (require.main === module) {
  const root = join(__dirname, '..');
  const reason = process.argv.includes('--force') ? 'asked for' : staleReason(root);
  if (reason === null) {
    process.stdout.write('build is current (dist/), not rebuilding\n');
  } else {
    process.stdout.write(`building: ${reason}\n`);
    const result = spawnSync('npx', ['nest', 'build'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
    writeFileSync(join(root, STAMP), `${new Date().toISOString()}\n`);
  }
}
