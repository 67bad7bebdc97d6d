import { DataSource } from 'typeorm';
import { UserId } from '@graph/domain';
import { createDataSource } from '@graph/infrastructure';
import { CounterDeltas } from './typeorm-graph-write.repository';
import { testInfra } from '../../../../test/setup/test-infra';
import { freshUserId } from '../../../../test/support/test-app';

type Stored = 'accepted' | 'pending' | 'rejected' | null;
const STATES: Stored[] = [null, 'pending', 'accepted', 'rejected'];

/**
 * graph_count_edge (migration GraphWriteFunctions) is the SQL copy of the counter rule the adapter
 * applies in TypeScript (CounterDeltas.edge): for every transition of an edge, both move the same
 * counter rows by the same amounts.
 */
describe('graph_count_edge against the adapter rule', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = createDataSource(testInfra.databaseUrl, 2, 30000);
    await db.initialize();
  });
  afterAll(() => db.destroy());

  const cases = STATES.flatMap((from) => STATES.map((to) => [from, to] as const));
  it.each(cases)('from %s to %s', async (from, to) => {
    const [a, b] = [freshUserId() as UserId, freshUserId() as UserId];
    await db.query(`SELECT graph_count_edge($1, $2, $3, $4, now())`, [a, b, from, to]);
    const rows = (await db.query(
      `SELECT user_id::text AS "userId", slot, follower_count::int AS followers, following_count::int AS following, pending_requests_count::int AS pending
         FROM user_graph_stats WHERE user_id = ANY($1::bigint[]) AND (follower_count, following_count, pending_requests_count) <> (0, 0, 0)
        ORDER BY user_id, slot`,
      [[a, b]],
    )) as unknown[];
    expect(rows).toEqual(new CounterDeltas().edge(a, b, from, to).changes());
  });
});
