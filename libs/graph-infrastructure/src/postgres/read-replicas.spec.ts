import { DataSource } from 'typeorm';
import { UserId } from '@graph/domain';
import { MetricsRegistry } from '../observability/metrics.registry';
import { ReadReplicas } from './read-replicas';

/** A server that answers the two position queries: the primary's WAL position or a replica's replay position. */
class FakeServer {
  lsn = 100;
  down = false;
  standby = true;
  readonly dataSource = {
    isInitialized: true,
    initialize: async () => undefined,
    destroy: async () => undefined,
    query: async (sql: string) => {
      if (this.down) throw new Error('connect ECONNREFUSED');
      if (sql.includes('pg_last_wal_replay_lsn')) return [{ lsn: this.standby ? String(this.lsn) : null }];
      return [{ lsn: String(this.lsn) }];
    },
  } as unknown as DataSource;
}

const tick = () => new Promise((r) => setTimeout(r, 3));
const A = '1' as UserId;
const B = '2' as UserId;

describe('ReadReplicas', () => {
  let primary: FakeServer;
  let replica: FakeServer;
  let replicas: ReadReplicas;
  let metrics: MetricsRegistry;

  beforeEach(async () => {
    primary = new FakeServer();
    replica = new FakeServer();
    metrics = new MetricsRegistry({ defaultMetrics: false });
    // Checks are run by hand (the interval is longer than any test).
    replicas = await ReadReplicas.open(primary.dataSource, { urls: ['postgres://r1/graph'], maxLagMs: 50, checkIntervalMs: 600000 }, metrics, { poolSize: 1, statementTimeoutMs: 1000, waits: { connectTimeoutMs: 1, queryTimeoutMs: 1, breakerOpenMs: 1 } }, () => replica.dataSource);
  });
  afterEach(() => replicas.close());

  const value = async (name: string) => (await metrics.registry.getSingleMetric(name)!.get()).values[0]?.value;

  it('uses a caught-up replica, and keeps a written user on the primary until the replica replayed past the write', async () => {
    expect(replicas.pick([A])).toBe(replica.dataSource);
    await tick();
    primary.lsn = 200; // A's write
    replicas.markWritten([A]);
    expect(replicas.pick([A])).toBeNull();
    expect(replicas.pick([B])).toBe(replica.dataSource);
    await tick();
    await replicas.check(); // sampled after the write, but the replica is still at 100
    expect(replicas.pick([A])).toBeNull();
    replica.lsn = 200;
    await replicas.check();
    expect(replicas.pick([A])).toBe(replica.dataSource);
    expect((await metrics.registry.getSingleMetric('graph_db_reads_total')!.get()).values.map((v) => [v.labels.target, v.value])).toEqual(
      expect.arrayContaining([
        ['replica', 3],
        ['primary', 2],
      ]),
    );
  });

  it('holds every read on the primary after a write whose users are unknown', async () => {
    await tick();
    replicas.markAllWritten();
    expect(replicas.pick([B])).toBeNull();
    await tick();
    await replicas.check();
    expect(replicas.pick([B])).toBe(replica.dataSource);
  });

  it('takes a replica further behind than allowed out of use, and back once it catches up', async () => {
    primary.lsn = 300;
    await replicas.check();
    await new Promise((r) => setTimeout(r, 80));
    await replicas.check();
    expect(replicas.pick([B])).toBeNull();
    expect(await value('graph_db_replica_in_use')).toBe(0);
    expect(await value('graph_db_replica_lag_seconds')).toBeGreaterThan(0.05);
    replica.lsn = 300;
    await replicas.check();
    expect(replicas.pick([B])).toBe(replica.dataSource);
    expect(await value('graph_db_replica_lag_seconds')).toBe(0);
  });

  it('takes a replica that does not answer, fails a read or is no standby out of use until a check passes', async () => {
    replica.down = true;
    await replicas.check();
    expect(replicas.pick([B])).toBeNull();
    expect(await value('graph_db_replica_lag_seconds')).toBeNaN();
    replica.down = false;
    await replicas.check();
    expect(replicas.pick([B])).toBe(replica.dataSource);

    replicas.failed(replica.dataSource, new Error('Connection terminated'));
    expect(replicas.pick([B])).toBeNull();
    await replicas.check();
    expect(replicas.pick([B])).toBe(replica.dataSource);

    replica.standby = false;
    await replicas.check();
    expect(replicas.pick([B])).toBeNull();
  });
});
