import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';

const ROOT = join(__dirname, '../..');

/** What a fresh clone, `npm start` and `docker compose` get from the repository's files. */
describe('install and build hygiene', () => {
  it('npm install leaves package-lock.json as committed (every platform binary is listed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-lock-'));
    try {
      for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(ROOT, f), join(dir, f));
      // The lock file alone, no scripts, cached metadata first: seconds, and no node_modules.
      execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
        cwd: dir,
        stdio: 'pipe',
      });
      const after = readFileSync(join(dir, 'package-lock.json'), 'utf8');
      const before = readFileSync(join(ROOT, 'package-lock.json'), 'utf8');
      const added = after.split('\n').filter((l) => l.includes('"node_modules/') && !before.includes(l));
      expect(added).toEqual([]);
      expect(after).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);

  describe('npm start', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { staleReason, STAMP } = require(join(ROOT, 'scripts/build-if-stale.cjs')) as {
      staleReason: (root: string) => string | null;
      STAMP: string;
    };

    it('builds before starting only when the build is not current; start:prod never builds', () => {
      expect(scripts.prestart).toBe('node scripts/build-if-stale.cjs');
      expect(scripts['start:prod']).toBe(scripts.start);
      expect(scripts.start).not.toMatch(/build/);
    });

    // npm runs a script through `sh -c` and forwards SIGTERM to that shell only: without `exec` the
    // service never saw an orchestrator's SIGTERM to `npm start` and was left running, undrained.
    it("passes a SIGTERM sent to `npm start` on to the service (the script execs node)", async () => {
      const dir = mkdtempSync(join(tmpdir(), 'graph-sigterm-'));
      try {
        const main = 'dist/apps/graph-service/src/main.js';
        mkdirSync(join(dir, 'dist/apps/graph-service/src'), { recursive: true });
        writeFileSync(
          join(dir, main),
          "process.on('SIGTERM', () => { require('fs').writeFileSync('got-sigterm', ''); process.exit(0); });\n" +
            "require('fs').writeFileSync('started', ''); setInterval(() => {}, 1000);\n",
        );
        expect(scripts.start).toContain(main);
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'sigterm-check', scripts: { start: scripts.start } }));
        const npm = spawn('npm', ['start', '--silent'], { cwd: dir, stdio: 'ignore' });
        const exited = new Promise<void>((resolve) => npm.on('exit', () => resolve()));
        const started = join(dir, 'started');
        for (let i = 0; i < 200 && !existsSync(started); i++) await new Promise((r) => setTimeout(r, 50));
        expect(existsSync(started)).toBe(true);
        npm.kill('SIGTERM');
        await exited;
        for (let i = 0; i < 100 && !existsSync(join(dir, 'got-sigterm')); i++) await new Promise((r) => setTimeout(r, 50));
        expect(existsSync(join(dir, 'got-sigterm'))).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 30000);

    it('calls a build current until a source or build setting is newer than it', () => {
      const root = mkdtempSync(join(tmpdir(), 'graph-build-'));
      try {
        mkdirSync(join(root, 'apps/x/src'), { recursive: true });
        mkdirSync(join(root, 'dist'));
        const source = join(root, 'apps/x/src/main.ts');
        writeFileSync(source, '');
        writeFileSync(join(root, 'tsconfig.json'), '{}');
        expect(staleReason(root)).toMatch(/no completed build/);
        const past = new Date(Date.now() - 60000);
        utimesSync(source, past, past);
        utimesSync(join(root, 'tsconfig.json'), past, past);
        writeFileSync(join(root, STAMP), '');
        expect(staleReason(root)).toBeNull();
        const future = new Date(Date.now() + 60000);
        utimesSync(source, future, future);
        expect(staleReason(root)).toBe('apps/x/src/main.ts changed since the last build');
        utimesSync(source, past, past);
        utimesSync(join(root, 'tsconfig.json'), future, future);
        expect(staleReason(root)).toMatch(/tsconfig.json/);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  });

  describe('docker-compose.yml', () => {
    type Service = {
      ports?: string[];
      healthcheck?: { test: unknown };
      depends_on?: Record<string, { condition: string }>;
      environment?: Record<string, string | number>;
    };
    const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
    const services = compose.services;

    it('gives every component a healthcheck, and starts the service once all are healthy', () => {
      for (const [name, s] of Object.entries(services)) expect([name, Boolean(s.healthcheck?.test)]).toEqual([name, true]);
      const others = Object.keys(services).filter((n) => n !== 'graph-service');
      expect(services['graph-service']!.depends_on).toEqual(Object.fromEntries(others.map((n) => [n, { condition: 'service_healthy' }])));
    });

    it('advertises a Kafka listener for the host and one for the service, and the service uses the latter', () => {
      const kafka = services.kafka!.environment!;
      const advertised = String(kafka.KAFKA_ADVERTISED_LISTENERS).split(',');
      const host = advertised.find((l) => /\/\/localhost:\d+$/.test(l));
      const internal = advertised.find((l) => /\/\/kafka:\d+$/.test(l));
      expect(host).toBeDefined();
      expect(internal).toBeDefined();
      const hostPort = host!.split(':').pop();
      expect(services.kafka!.ports).toContain(`${hostPort}:${hostPort}`);
      expect(services['graph-service']!.environment!.KAFKA_BROKERS).toBe(internal!.split('//')[1]);
    });

    it("publishes host ports that leave the README's non-Docker setup free (3000, 5432, 6379, 9092)", () => {
      const published = Object.values(services).flatMap((s) => (s.ports ?? []).map((p) => Number(p.split(':')[0])));
      expect(published.filter((p) => [3000, 5432, 6379, 9092, 9093].includes(p))).toEqual([]);
    });

    it('ships no JWT secret of its own for NODE_ENV=production', () => {
      const env = services['graph-service']!.environment!;
      expect(env.NODE_ENV).toBe('production');
      expect(String(env.JWT_SECRET)).toMatch(/^\$\{JWT_SECRET:\?/);
    });

    it('has an image with the scripts the README runs in it (token, migration:run)', () => {
      const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
      const final = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
      expect(final).toMatch(/COPY --from=build \/app\/scripts \.\/scripts/);
    });

    const client = composeClient();
    (client ? it : it.skip)(`is valid for ${client?.join(' ') ?? 'a compose client (none installed here)'}`, () => {
      execFileSync(client![0]!, [...client!.slice(1), 'config', '--quiet'], {
        cwd: ROOT,
        stdio: 'pipe',
        env: { ...process.env, JWT_SECRET: 'a-test-value-for-config-only' },
      });
    });
  });
});

/** A clone carries its own contract: the README and the code point into docs/, never outside. */
describe('self-contained documentation', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('links only documents that exist in the repository', () => {
    const links = [...readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^https?:/.test(l));
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect([link, existsSync(join(ROOT, link))]).toEqual([link, true]);
  });

  it('cites docs/ in code and docs, not the product contract outside the clone or the original design', () => {
    const self = ':!test/integration/repository-hygiene.int-spec.ts';
    expect(gitGrep(["\\.\\./shared/(api|architecture|notes|seed)|[Tt]he seed's|[Aa]s the seed", '--', '.', self])).toBe('');
    expect(gitGrep(['(^|[^/])api\\.md', '--', '*.ts', '*.cjs', '*.mjs', self])).toBe('');
  });

  it("shows a session of commands without their output, starting once the service is ready", () => {
    const session = /## A session\n[\s\S]*?```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const lines = session.split('\n').filter((l) => l.trim() !== '');
    expect(lines.filter((l) => /^\s*[{[]/.test(l) || /^#\s+[{[]/.test(l))).toEqual([]);
    const ready = lines.findIndex((l) => l.includes('/health/ready'));
    const firstCall = lines.findIndex((l) => l.includes('curl') && !l.includes('/health/ready'));
    expect(ready).toBeGreaterThanOrEqual(0);
    expect(ready).toBeLessThan(firstCall);
  });
});

/** `git grep -nIE` in the repository: the matching lines, or '' when none match. */
function gitGrep(args: string[]): string {
  try {
    return execFileSync('git', ['grep', '-n', '-I', '-E', ...args], { cwd: ROOT, encoding: 'utf8' });
  } catch (error) {
    if ((error as { status?: number }).status === 1) return '';
    throw error;
  }
}

/** `docker compose` (v2 plugin) or `docker-compose` (v1), whichever answers; null when neither. */
function composeClient(): string[] | null {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    try {
      execFileSync(command[0]!, [...command.slice(1), 'version'], { stdio: 'ignore' });
      return command;
    } catch {
      // try the next one
    }
  }
  return null;
}
