import { createRequire } from 'node:module';
import { rideOutCoordinatorLoss } from './kafka-failover';

const kafkajs = createRequire(__filename);
const ConsumerGroup = kafkajs('kafkajs/src/consumer/consumerGroup') as new (options: object) => Group;
const { KafkaJSConnectionError } = kafkajs('kafkajs/src/errors') as { KafkaJSConnectionError: new (message: string, extra?: object) => Error };
const { createErrorFromCode } = kafkajs('kafkajs/src/protocol/error') as { createErrorFromCode: (code: number) => Error };
const REBALANCE_IN_PROGRESS = 27;
const GROUP_LOAD_IN_PROGRESS = 14;

interface Broker {
  nodeId: number;
  heartbeat: jest.Mock;
  offsetCommit: jest.Mock;
}

/** The parts of kafkajs' ConsumerGroup these tests drive (the real class, patched). */
interface Group {
  memberId: string | null;
  generationId: number;
  lastRequest: number;
  coordinator: Broker;
  offsetManager: { coordinator: Broker } | null;
  heartbeat(options: { interval: number }): Promise<void>;
  commitOffsets(offsets?: object): Promise<void>;
  recoverFromFetch(error: unknown): Promise<void>;
}

const refused = () => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092', { code: 'ECONNREFUSED' });

function broker(nodeId: number, fails = false): Broker {
  const answer = () => (fails ? Promise.reject(refused()) : Promise.resolve({}));
  return { nodeId, heartbeat: jest.fn(answer), offsetCommit: jest.fn(answer) };
}

/**
 * A cluster whose FindCoordinator names `answers` in turn (a node id, or an error: the dead broker
 * not fenced yet), then the last one for ever.
 */
function cluster(brokers: Broker[], answers: Array<number | Error>) {
  let asked = 0;
  return {
    asked: () => asked,
    findGroupCoordinatorMetadata: jest.fn(async () => {
      const answer = answers[Math.min(asked++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return { coordinator: { nodeId: answer } };
    }),
    findBroker: jest.fn(async ({ nodeId }: { nodeId: number }) => brokers.find((b) => b.nodeId === nodeId)!),
    getNodeIds: () => brokers.map((b) => b.nodeId),
  };
}

const silent = { namespace: () => silent, warn: () => undefined, debug: () => undefined, info: () => undefined, error: () => undefined };

function joinedGroup(coordinator: Broker, fakeCluster: ReturnType<typeof cluster>): Group {
  const group = new ConsumerGroup({
    cluster: fakeCluster,
    groupId: 'g',
    topics: [],
    topicConfigurations: {},
    logger: silent,
    instrumentationEmitter: { emit: () => undefined },
    assigners: [],
    sessionTimeout: 10000,
    maxWaitTimeInMs: 100,
    retry: { retries: 0 },
  });
  group.memberId = 'member-1';
  group.generationId = 7;
  group.coordinator = coordinator;
  group.offsetManager = { coordinator };
  return group;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

describe('rideOutCoordinatorLoss (kafkajs ConsumerGroup patched)', () => {
  beforeAll(() => expect(rideOutCoordinatorLoss()).toBe(true));

  it('keeps heartbeating, same member and generation, at the coordinator found after the old one died', async () => {
    const dead = broker(1, true);
    const next = broker(2);
    const c = cluster([dead, next], [refused(), refused(), 2]);
    const group = joinedGroup(dead, c);

    await expect(group.heartbeat({ interval: 0 })).resolves.toBeUndefined();
    // While the search runs, heartbeats are skipped, not failed.
    await expect(group.heartbeat({ interval: 0 })).resolves.toBeUndefined();
    await until(() => group.coordinator === next);
    expect(group.offsetManager!.coordinator).toBe(next);
    expect(c.asked()).toBeGreaterThanOrEqual(3);

    await group.heartbeat({ interval: 0 });
    expect(next.heartbeat).toHaveBeenCalledWith({ groupId: 'g', memberId: 'member-1', groupGenerationId: 7 });
    expect(dead.heartbeat).toHaveBeenCalledTimes(1);
  });

  it('treats a coordinator still loading the group like a lost one', async () => {
    const loading = broker(2);
    loading.heartbeat.mockRejectedValueOnce(createErrorFromCode(GROUP_LOAD_IN_PROGRESS));
    const c = cluster([loading], [2]);
    const group = joinedGroup(loading, c);
    await expect(group.heartbeat({ interval: 0 })).resolves.toBeUndefined();
    await until(() => c.findBroker.mock.calls.length === 1);
    await new Promise((r) => setTimeout(r, 10));
    await group.heartbeat({ interval: 0 });
    expect(loading.heartbeat).toHaveBeenCalledTimes(2);
  });

  it('leaves a rebalance to kafkajs (it rejoins)', async () => {
    const coordinator = broker(1);
    coordinator.heartbeat.mockRejectedValueOnce(createErrorFromCode(REBALANCE_IN_PROGRESS));
    const group = joinedGroup(coordinator, cluster([coordinator], [1]));
    await expect(group.heartbeat({ interval: 0 })).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' });
  });

  it('gives the error to kafkajs once the member session must have expired', async () => {
    const dead = broker(1, true);
    const c = cluster([dead], [1]);
    const group = joinedGroup(dead, c);
    group.lastRequest = Date.now() - 11000;
    await expect(group.heartbeat({ interval: 0 })).rejects.toMatchObject({ name: 'KafkaJSConnectionError' });
    expect(c.findGroupCoordinatorMetadata).not.toHaveBeenCalled();
  });

  it('skips a commit to a dead coordinator (its offsets go with the next one) and sends the next one to the new coordinator', async () => {
    const dead = broker(1, true);
    const next = broker(2);
    const group = joinedGroup(dead, cluster([dead, next], [2]));
    const offsetManager: { coordinator: Broker; commitOffsets: () => Promise<void> } = {
      coordinator: dead,
      commitOffsets: async () => void (await offsetManager.coordinator.offsetCommit({})),
    };
    group.offsetManager = offsetManager;
    await expect(group.commitOffsets()).resolves.toBeUndefined();
    expect(dead.offsetCommit).toHaveBeenCalledTimes(1);
    await until(() => offsetManager.coordinator === next);
    await expect(group.commitOffsets()).resolves.toBeUndefined();
    expect(next.offsetCommit).toHaveBeenCalledTimes(1);
  });

  it('answers a fetch from an unreachable partition leader with nothing instead of an error', async () => {
    const group = joinedGroup(broker(1), cluster([broker(1)], [1]));
    await expect(group.recoverFromFetch(refused())).resolves.toBeUndefined();
    await expect(group.recoverFromFetch(new Error('something else'))).rejects.toThrow('something else');
  });
});
