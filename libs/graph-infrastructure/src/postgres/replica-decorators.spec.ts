import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { GraphWriteRepository } from '@graph/domain';
import { ReadReplicas } from './read-replicas';
import { ReplicaMarkingGraphWriteRepository } from './replica-marking-graph-write.repository';
import { ReplicaRoutingGraphReadRepository } from './replica-routing-graph-read.repository';
import { TypeOrmGraphReadRepository } from './typeorm-graph-read.repository';

/** An inner port that records every call and answers an outcome every decorator can read. */
function recording<T extends object>(): { inner: T; calls: Array<[string, unknown[]]> } {
  const calls: Array<[string, unknown[]]> = [];
  const inner = new Proxy({} as T, {
    get: (_, name) => (...args: unknown[]) => {
      calls.push([String(name), args]);
      return Promise.resolve({ affectedUserIds: [], acceptedFollowerIds: [], expired: [], access: 'ok' });
    },
  });
  return { inner, calls };
}

/** No replica to pick: every read goes to the primary, every write only marks. */
const NO_REPLICA = { pick: () => null, markWritten: () => undefined, markAllWritten: () => undefined, failed: () => undefined } as unknown as ReadReplicas;

/**
 * The port's methods with how many parameters each declares, optional ones included, read from
 * its source (abstract methods leave nothing on the prototype, and `length` stops at a default).
 */
function portMethods(file: string): Array<[string, number]> {
  const source = readFileSync(join(__dirname, '../../../graph-domain/src/ports', file), 'utf8');
  return [...source.matchAll(/^\s*abstract (\w+)\(([^)]*)\)/gm)].map((m) => [m[1]!, m[2]!.trim() === '' ? 0 : m[2]!.split(/,(?![^<[]*[>\]])/).filter((p) => p.trim() !== '').length]);
}

// A decorator that drops an optional argument compiles (follow options and relative_to were lost
// that way once): each port method, called with as many arguments as the port declares, must reach
// the inner adapter whole.
describe('replica decorators pass every call on whole', () => {
  const args = ['a1', 'a2', 'a3', 'a4', 'a5'];

  it.each(portMethods('graph-read.repository.ts').filter(([m]) => m !== 'readListPage'))('reads: %s (%i arguments)', async (method, arity) => {
    const { inner, calls } = recording<TypeOrmGraphReadRepository>();
    const reads = new ReplicaRoutingGraphReadRepository(inner, NO_REPLICA, [] as DataSource[]) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await reads[method]!(...args.slice(0, arity));
    expect(calls).toEqual([[method, args.slice(0, arity)]]);
  });

  it.each(portMethods('graph-write.repository.ts'))('writes: %s (%i arguments)', async (method, arity) => {
    const { inner, calls } = recording<GraphWriteRepository>();
    const writes = new ReplicaMarkingGraphWriteRepository(inner, NO_REPLICA) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await writes[method]!(...args.slice(0, arity));
    expect(calls).toEqual([[method, args.slice(0, arity)]]);
  });
});
