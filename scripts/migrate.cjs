#!/usr/bin/env node
// Applies pending migrations to DATABASE_URL (npm run migration:run). Runs the compiled migrations,
// so it builds first when dist/ is missing.
const { execSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('DATABASE_URL is not set (the embedded default migrates itself at start).\n');
  process.exit(2);
}
const root = join(__dirname, '..');
if (!existsSync(join(root, 'dist/migrations/index.js'))) execSync('npx nest build', { cwd: root, stdio: 'inherit' });
const { DataSource } = require('typeorm');
const { GRAPH_MIGRATIONS } = require(join(root, 'dist/migrations/index.js'));

(async () => {
  const ds = new DataSource({ type: 'postgres', url, migrations: GRAPH_MIGRATIONS });
  await ds.initialize();
  const applied = await ds.runMigrations({ transaction: 'each' });
  process.stdout.write(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}\n` : 'nothing to apply\n');
  await ds.destroy();
})().catch((e) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
