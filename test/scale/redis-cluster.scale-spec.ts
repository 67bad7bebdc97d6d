import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { SpareRedisCluster } from '../support/spare-services';
import { bearer, freshUserId, startTestApp } from '../support/test-app';
import { TimedCall, fullLoad } from './scale-load';

const G = '/api/v1/graph';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The service on a Redis Cluster of 3 masters + 3 replicas (cluster-node-timeout 2000 ms) and
 * `kill -9` of a master while actors follow, unfollow and read their own views. Each actor checks
 * every read against its own model of its writes (read-your-writes: only it changes its edges):
 * no call may fail because of the cache (the lost slots are served from Postgres meanwhile; a 503
 * of the database itself is reported apart) and no read may be stale, before, during or after the
 * failover. The window (kill → the cache used again on those slots) is measured and printed, not
 * asserted (docs/scaling.md records it).
 */
describe('on a Redis Cluster, through a master failure', () => {
  let cluster: SpareRedisCluster;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    cluster = await SpareRedisCluster.start({ masters: 3, nodeTimeoutMs: 2000 });
    // 500 ms, not the default 50: on this shared 2-core machine (load average 30-40) the event loop
    // alone can stall past 50 ms, which would open breakers that have nothing to do with the kill.
    app = await startTestApp({ REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodes, REDIS_COMMAND_TIMEOUT_MS: process.env.SCALE_REDIS_COMMAND_TIMEOUT_MS ?? '500' });
  }, 120000);
  afterAll(async () => {
    await app?.close();
    await cluster?.stop();
  }, 60000);

  async function metric(name: string): Promise<number> {
    const text = (await http().get('/metrics')).text;
    return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
  }

  it('serves every call and no stale read while a master is killed and its replica takes over', async () => {
    const actors = Array.from({ length: fullLoad ? 24 : 8 }, () => freshUserId());
    const targets = Array.from({ length: 6 }, () => freshUserId());
    const calls: TimedCall[] = [];
    const stale: string[] = [];
    let running = true;
    let killedAt = 0;
    /** When a stale read was seen, in ms from the kill (negative: before it). */
    const at = (): string => (killedAt ? `@${Date.now() - killedAt}ms` : '@before');

    const timed = async (run: () => Promise<request.Response>): Promise<request.Response | null> => {
      const sentAt = Date.now();
      try {
        const res = await run();
        const ok = res.status === 200;
        calls.push({ sentAt, doneAt: Date.now(), ok, ...(ok ? {} : { error: `${res.status} ${JSON.stringify(res.body)}` }) });
        return ok ? res : null;
      } catch (error) {
        calls.push({ sentAt, doneAt: Date.now(), ok: false, error: (error as Error).message });
        return null;
      }
    };

    /** One actor: flips a follow, then reads its relationship, its following list and its counters. */
    const actor = async (me: string): Promise<void> => {
      const following = new Set<string>();
      while (running) {
        const target = targets[Math.floor(Math.random() * targets.length)]!;
        const follow = !following.has(target);
        // A failed write may still have committed: repeat it (both are idempotent) until it answers,
        // so the model stays exact.
        while (!(await timed(() => (follow ? http().post(`${G}/follow/${target}`) : http().delete(`${G}/follow/${target}`)).set(bearer(me))))) {
          if (!running) return;
        }
        if (follow) following.add(target);
        else following.delete(target);
        const [rel, list, stats] = await Promise.all([
          timed(() => http().get(`${G}/relationship/${target}`).set(bearer(me))),
          timed(() => http().get(`${G}/following/${me}`).set(bearer(me))),
          timed(() => http().get(`${G}/stats/${me}`).set(bearer(me))),
        ]);
        if (rel && rel.body.following !== follow) stale.push(`${at()} ${me}→${target} relationship following=${rel.body.following}, wrote ${follow}`);
        const listed = list ? (list.body.following as { user_id: string }[]).map((e) => e.user_id).sort() : null;
        if (listed && JSON.stringify(listed) !== JSON.stringify([...following].sort())) stale.push(`${at()} ${me} following list ${listed}, expected ${[...following].sort()}`);
        if (stats && stats.body.following_count !== following.size) stale.push(`${at()} ${me} following_count ${stats.body.following_count}, expected ${following.size}`);
      }
    };

    const load = Promise.all(actors.map(actor));
    // Warm: until the cache serves (on a loaded machine the first calls take seconds).
    const warmFrom = Date.now();
    while ((await metric('graph_cache_hits_total')) < 20 && Date.now() - warmFrom < 60000) await sleep(200);
    await sleep(fullLoad ? 5000 : 1000);
    const hitsBefore = await metric('graph_cache_hits_total');
    const bypassBefore = await metric('graph_cache_bypass_total');
    const victim = cluster.masters()[0]!;
    await cluster.kill(victim);
    killedAt = Date.now();

    // The window: until the breaker of the lost master's slots closes again (graph_cache_breaker_open back to 0).
    let opened = false;
    let windowMs = Number.POSITIVE_INFINITY;
    while (Date.now() - killedAt < 60000) {
      const open = (await metric('graph_cache_breaker_open')) === 1;
      if (open) opened = true;
      else if (opened) {
        windowMs = Date.now() - killedAt;
        break;
      }
      await sleep(25);
    }
    const failoverMs = await (async () => {
      await cluster.waitHealthy(60000);
      return Date.now() - killedAt;
    })();
    // After the failover: the same checks for a while longer, the cache in use again.
    const hitsAtRecovery = await metric('graph_cache_hits_total');
    await sleep(fullLoad ? 10000 : 4000);
    running = false;
    await load;
    const hitsAfter = await metric('graph_cache_hits_total');
    const bypassAfter = await metric('graph_cache_bypass_total');

    const failed = calls.filter((c) => !c.ok);
    // A 503 UNAVAILABLE naming the database is Postgres refusing (its pool or connect timeout on
    // this loaded machine), not the cache: reported with when it happened, kept apart from the rest.
    const database = failed.filter((c) => /the database is unavailable/.test(c.error ?? ''));
    const phase = (c: TimedCall) => (c.sentAt < killedAt ? 'before' : c.sentAt <= killedAt + windowMs ? 'during' : 'after');
    const during = calls.filter((c) => c.sentAt >= killedAt && c.sentAt <= killedAt + windowMs).length;
    process.stdout.write(
      `redis cluster failover: master :${victim} killed; breaker window ${windowMs} ms, cluster_state ok everywhere after ${failoverMs} ms; ` +
        `${calls.length} calls (${during} during the window), ${failed.length} failed (${database.length} database 503s: ${JSON.stringify(database.map(phase))}), ${stale.length} stale reads; ` +
        `cache hits ${hitsBefore} before the kill (bypasses ${bypassBefore}), +${hitsAfter - hitsAtRecovery} after recovery, ${bypassAfter - bypassBefore} bypasses since the kill; ` +
        `failures: ${JSON.stringify(failed.slice(0, 3).map((c) => c.error?.slice(0, 80)))}; stale: ${JSON.stringify([...stale.slice(0, 3), ...stale.slice(-2)])}\n`,
    );
    expect(failed.filter((c) => !database.includes(c)).slice(0, 5)).toEqual([]);
    expect(stale.slice(0, 5)).toEqual([]);
    expect(opened).toBe(true);
    expect(windowMs).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(hitsAfter).toBeGreaterThan(hitsAtRecovery);
  }, 240000);
});
