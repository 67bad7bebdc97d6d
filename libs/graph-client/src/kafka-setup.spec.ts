import { createRequire } from 'node:module';
import { Admin } from 'kafkajs';
import { ensureTopics } from './kafka-setup';

const kafkajs = createRequire(__filename);
const { createErrorFromCode } = kafkajs('kafkajs/src/protocol/error') as { createErrorFromCode: (code: number) => Error };
const { KafkaJSAggregateError } = kafkajs('kafkajs/src/errors') as { KafkaJSAggregateError: new (message: string, errors: Error[]) => Error };
// Kafka's error codes, as brokers answer a topic creation.
const NOT_CONTROLLER = 41;
const INVALID_REPLICATION_FACTOR = 38;
const TOPIC_ALREADY_EXISTS = 36;
const TOPIC_AUTHORIZATION_FAILED = 29;

/** An admin whose createTopics fails with `failures` in turn, then succeeds. */
function adminFailing(...failures: Error[]): { admin: Admin; createTopics: jest.Mock } {
  const createTopics = jest.fn(async () => {
    const failure = failures.shift();
    if (failure) throw failure;
    return true;
  });
  return { admin: { listTopics: async () => ['graph.other'], createTopics } as unknown as Admin, createTopics };
}

describe('ensureTopics', () => {
  it('creates the missing topics with the replication settings asked for', async () => {
    const { admin, createTopics } = adminFailing();
    expect(await ensureTopics(admin, ['graph.other', 'graph.follow'], { partitions: 6, replicationFactor: 3, minInsyncReplicas: 2 })).toEqual(['graph.follow']);
    expect(createTopics).toHaveBeenCalledWith({
      waitForLeaders: true,
      topics: [{ topic: 'graph.follow', numPartitions: 6, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
    });
  });

  it('tries again through the transient refusals of a cluster that is starting (no controller yet, brokers not all registered)', async () => {
    const { admin, createTopics } = adminFailing(
      createErrorFromCode(NOT_CONTROLLER),
      new KafkaJSAggregateError('Topic creation errors', [createErrorFromCode(INVALID_REPLICATION_FACTOR)]),
    );
    await expect(ensureTopics(admin, ['graph.follow'], { replicationFactor: 3 })).resolves.toEqual(['graph.follow']);
    expect(createTopics).toHaveBeenCalledTimes(3);
  });

  it('takes a topic another instance created in between for success', async () => {
    const { admin, createTopics } = adminFailing(new KafkaJSAggregateError('Topic creation errors', [createErrorFromCode(TOPIC_ALREADY_EXISTS)]));
    await expect(ensureTopics(admin, ['graph.follow'])).resolves.toEqual(['graph.follow']);
    expect(createTopics).toHaveBeenCalledTimes(1);
  });

  it('gives up at once on an error no retry can cure', async () => {
    const { admin, createTopics } = adminFailing(createErrorFromCode(TOPIC_AUTHORIZATION_FAILED));
    await expect(ensureTopics(admin, ['graph.follow'])).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
    expect(createTopics).toHaveBeenCalledTimes(1);
  });
});
