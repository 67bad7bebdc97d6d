import { DataSource } from 'typeorm';
import { EDGE_TRANSITIONS, EdgeState, UserId, edgeTransition } from '@graph/domain';
import { createDataSource } from '@graph/infrastructure';
import { CounterDeltas } from './typeorm-graph-write.repository';
import { testInfra } from '../../../../test/setup/test-infra';
import { freshUserId } from '../../../../test/support/test-app';

/** graph_count_edge speaks of stored rows: no row is null. */
const stored = (state: EdgeState): string | null => (state === 'none' ? null : state);

/**
 * graph_count_edge (migration GraphWriteFunctions) is the SQL copy of the counter rule the adapter
 * applies in TypeScript (CounterDeltas.edge over the domain's edgeTransition): for every transition
 * the write port makes, both move the same counter rows by the same amounts.
 */
describe('graph_count_edge against the adapter rule', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = createDataSource(testInfra.databaseUrl, 2, 30000);
    await db.initialize();
  });
  afterAll(() => db.destroy());

  const cases = EDGE_TRANSITIONS.map((t) => [t.from, t.to, t] as const);
  it.each(cases)('from %s to %s', async (from, to, move) => {
    const [a, b] = [freshUserId() as UserId, freshUserId() as UserId];
    await db.query(`SELECT graph_count_edge($1, $2, $3, $4, now())`, [a, b, stored(from), stored(to)]);
    const rows = (await db.query(
      `SELECT user_id::text AS "userId", slot, follower_count::int AS followers, following_count::int AS following, pending_requests_count::int AS pending
         FROM user_graph_stats WHERE user_id = ANY($1::bigint[]) AND (follower_count, following_count, pending_requests_count) <> (0, 0, 0)
        ORDER BY user_id, slot`,
      [[a, b]],
    )) as unknown[];
    expect(rows).toEqual(new CounterDeltas().edge(a, b, edgeTransition({ followerId: a, followingId: b, ...move })).changes());
  });
});
