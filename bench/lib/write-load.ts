import { BenchContext } from '../context';
import { addFollowers } from './graph-generator';
import { HttpClient } from './http-client';

const G = '/api/v1/graph';
const accounts = new Map<number, string>();

/** A fresh account with `n` followers (fresh ids), made once per run and size. */
export async function accountWithFollowers(ctx: BenchContext, n: number): Promise<string> {
  const known = accounts.get(n);
  if (known) return known;
  const [account] = ctx.freshIds(1);
  const first = BigInt(ctx.freshIds(1)[0]!) + 1n;
  ctx.freshIds(n + 1);
  const started = Date.now();
  await addFollowers(ctx.databaseUrl, account!, first, n);
  process.stdout.write(`  made account ${account} with ${n.toLocaleString('en-US')} followers in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  accounts.set(n, account!);
  return account!;
}

/** Fresh writers with their tokens signed ahead of time (signing is the load generator's cost, not the service's). */
export function writers(ctx: BenchContext, n: number): { ids: string[]; tokens: string[] } {
  const ids = ctx.freshIds(n);
  return { ids, tokens: ids.map((id) => ctx.token(id)) };
}

/**
 * Follow + unfollow, alternating per writer: call i takes writer i mod n; a writer following
 * someone unfollows them, else follows `target()`. Half the calls are follows, half unfollows, and
 * every one changes the graph (none is an idempotent repeat).
 */
export function followUnfollow(http: HttpClient, pool: { ids: string[]; tokens: string[] }, target: () => string): (i: number) => Promise<void> {
  const current: (string | null)[] = pool.ids.map(() => null);
  let next = 0;
  return async () => {
    const w = next++ % pool.ids.length;
    const followed = current[w];
    if (followed) {
      current[w] = null;
      await http.ok('DELETE', `${G}/follow/${followed}`, pool.tokens[w]);
    } else {
      const t = target();
      current[w] = t;
      await http.ok('POST', `${G}/follow/${t}`, pool.tokens[w]);
    }
  };
}

/** Ids from `from` to `to`, both included. */
export interface IdRange {
  from: number;
  to: number;
}

/** The ids of the generated graph's users. */
export function graphUsers(ctx: BenchContext): IdRange {
  return { from: 1_000_001, to: 1_000_000 + ctx.graph.users };
}

/** A random id of the range. */
export function randomIn(range: IdRange): () => string {
  return () => (range.from + Math.floor(Math.random() * (range.to - range.from + 1))).toString();
}

/** A random user of the generated graph. */
export function someone(ctx: BenchContext): () => string {
  return randomIn(graphUsers(ctx));
}
