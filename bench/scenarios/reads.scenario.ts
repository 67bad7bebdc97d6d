import { Redis } from 'ioredis';
import { BenchContext, Scenario } from '../context';
import { BareServer, startBareNestRoute, startBareNodeServer } from '../lib/bare-servers';
import { cacheCounters, hitRateBetween } from '../lib/cache-metrics';
import { HttpClient } from '../lib/http-client';
import { LoadResult, runLoad } from '../lib/load';
import { rowOf } from '../lib/report';

const G = '/api/v1/graph';
const BARE_PREFIX = 'bench:bare:';

/**
 * Cached reads against their limits, on each adapter: a bare Node `http` server answering the same
 * bytes from one Redis GET (the limit the issue states the fastify targets against), and a bare Nest
 * route on the same adapter doing the same (the express target's limit). Every load runs in two
 * alternating rounds (limits, then the service's calls, twice), so background work that comes and
 * goes on the shared machine weighs on both sides alike.
 */
export const readsScenario: Scenario = async (ctx) => {
  for (const adapter of ctx.options.adapters) await readsOn(ctx, adapter);
};

async function readsOn(ctx: BenchContext, adapter: 'express' | 'fastify'): Promise<void> {
  const service = await ctx.startService({ HTTP_ADAPTER: adapter });
  const client = new HttpClient(service.url, ctx.options.concurrency + 4);
  const redis = new Redis(ctx.redisUrl);
  const servers: BareServer[] = [];
  try {
    const celebrity = ctx.graph.celebrities[0]!;
    const [viewer] = ctx.freshIds(1);
    const token = ctx.token(viewer!);
    const calls = { page: `${G}/followers/${celebrity}`, stats: `${G}/stats/${celebrity}`, relationship: `${G}/relationship/${celebrity}` };
    // Fill the cache (a miss, then the fill) and keep each body for the bare servers.
    for (const [name, path] of Object.entries(calls)) {
      await client.ok('GET', path, token);
      const body = (await client.ok('GET', path, token)).body;
      await redis.set(`${BARE_PREFIX}/${name}`, body);
    }
    const bareNode = await startBareNodeServer(ctx.redisUrl, BARE_PREFIX);
    servers.push(bareNode);
    const bareNest = await startBareNestRoute(ctx.redisUrl, adapter, `${BARE_PREFIX}/page`);
    servers.push(bareNest);
    const nodeClient = new HttpClient(bareNode.url, ctx.options.concurrency + 4);
    const nestClient = new HttpClient(bareNest.url, ctx.options.concurrency + 4);
    const same = (await nodeClient.ok('GET', '/page')).body === (await client.ok('GET', calls.page, token)).body;

    const opts = { concurrency: ctx.options.concurrency, durationMs: ctx.options.durationMs / 2, warmup: 200 };
    const loads = new Map<string, LoadResult[]>();
    const run = async (name: string, op: () => Promise<unknown>) => {
      const r = ctx.load(await runLoad({ name: `${name} (${adapter})`, ...opts }, async () => void (await op())));
      loads.set(name, [...(loads.get(name) ?? []), r]);
    };
    const before = await cacheCounters(client);
    for (let round = 1; round <= 2; round++) {
      await run('bare Node http, one Redis GET', () => nodeClient.ok('GET', '/page'));
      await run('bare Nest route, one Redis GET', () => nestClient.ok('GET', '/bare'));
      await run('cached followers page 1', () => client.ok('GET', calls.page, token));
      await run('cached stats', () => client.ok('GET', calls.stats, token));
      await run('cached relationship', () => client.ok('GET', calls.relationship, token));
    }
    const hitRate = hitRateBetween(before, await cacheCounters(client));
    nodeClient.close();
    nestClient.close();

    // The two rounds of a load merged: ops/s averaged, percentiles of the worse round.
    const merged = (name: string): LoadResult => {
      const rs = loads.get(name)!;
      const worst = rs.reduce((a, b) => (b.latency.p99 > a.latency.p99 ? b : a));
      return { ...worst, name, ops: rs.reduce((s, r) => s + r.ops, 0), errors: rs.reduce((s, r) => s + r.errors, 0), opsPerSec: rs.reduce((s, r) => s + r.opsPerSec, 0) / rs.length };
    };
    const node = merged('bare Node http, one Redis GET');
    const nest = merged('bare Nest route, one Redis GET');
    ctx.limits.set(`bare-node:${adapter}`, node.opsPerSec);
    ctx.tableRow(rowOf('reads', node, { name: `${node.name} (limit)`, note: `same bytes as the page: ${same}` }));
    ctx.tableRow(rowOf('reads', nest, { name: `${nest.name}, ${adapter} (limit)`, limitName: 'bare Node', limit: node.opsPerSec, ratio: nest.opsPerSec / node.opsPerSec }));
    const judged: [string, number][] = [
      ['cached followers page 1', adapter === 'fastify' ? 0.65 : 0],
      ['cached stats', adapter === 'fastify' ? 0.7 : 0],
      ['cached relationship', adapter === 'fastify' ? 0.7 : 0],
    ];
    for (const [name, target] of judged) {
      const r = merged(name);
      const ratio = r.opsPerSec / node.opsPerSec;
      ctx.tableRow(rowOf('reads', r, { name: `${name}, ${adapter}`, hitRate, limitName: 'bare Node', limit: node.opsPerSec, ratio, ...(target ? { target: `≥ ${target.toFixed(2)}`, pass: ratio >= target } : {}) }));
      if (adapter === 'express') {
        const nestRatio = r.opsPerSec / nest.opsPerSec;
        ctx.tableRow({ scenario: 'reads', name: `${name}, express vs bare Nest route`, opsPerSec: r.opsPerSec, limitName: 'bare Nest', limit: nest.opsPerSec, ratio: nestRatio, target: '≥ 0.90', pass: nestRatio >= 0.9 });
      }
    }
  } finally {
    for (const s of servers) s.stop();
    redis.disconnect();
    client.close();
    await service.stop();
  }
}
