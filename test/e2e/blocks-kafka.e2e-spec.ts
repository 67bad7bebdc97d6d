import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { GraphClient } from '@graph/client';
import { BlockEventPayload, GRAPH_BLOCK_TOPIC, GRAPH_RPC_PATTERNS, GraphEventPayload } from '@graph/contracts';
import { testInfra } from '../setup/test-infra';
import { EventCollector } from '../support/kafka-collector';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';

describe('blocks for internal services: graph.block and graph.rpc.block_exists', () => {
  let app: INestApplication;
  let client: GraphClient;
  let blocks: EventCollector;
  const [a, b, c, d] = [freshUserId(), freshUserId(), freshUserId(), freshUserId()];
  const http = () => request(app.getHttpServer());
  const asBlock = (p: GraphEventPayload) => p as unknown as BlockEventPayload;

  beforeAll(async () => {
    app = await startTestApp();
    blocks = await EventCollector.start(testInfra.kafkaBrokers, (p) => [a, b, c, d].includes(asBlock(p).blocker_id), { topics: [GRAPH_BLOCK_TOPIC] });
    client = new GraphClient({ brokers: testInfra.kafkaBrokers.split(','), groupId: `test-blocks-${randomUUID()}`, timeoutMs: 10000 });
    await client.onModuleInit();
  });
  afterAll(async () => {
    await client?.onModuleDestroy();
    await blocks?.stop();
    await app?.close();
  });

  it('publishes block and unblock on graph.block keyed by the blocker, once per change', async () => {
    await http().post(`${G}/block/${b}`).set(bearer(a)).expect(200);
    await http().post(`${G}/block/${b}`).set(bearer(a)).expect(200);
    await http().delete(`${G}/block/${b}`).set(bearer(a)).expect(200);
    await http().delete(`${G}/block/${b}`).set(bearer(a)).expect(200);
    await blocks.waitFor((e) => e.some((x) => asBlock(x.payload).event_type === 'unblock'));
    expect(blocks.events.map((e) => ({ key: e.key, ...asBlock(e.payload) }))).toEqual([
      expect.objectContaining({ key: a, event_type: 'block', blocker_id: a, blocked_id: b, schema_version: 1 }),
      expect.objectContaining({ key: a, event_type: 'unblock', blocker_id: a, blocked_id: b }),
    ]);
  });

  it('answers whether a block stands between each pair, either way, in order', async () => {
    await http().post(`${G}/block/${c}`).set(bearer(d)).expect(200);
    await expect(client.blockExists([[c, d], [d, c], [a, c], [a, b]])).resolves.toEqual([true, true, false, false]);
    await expect(client.call(GRAPH_RPC_PATTERNS.blockExists, { pairs: [{ user_id: Number(c), other_id: d }] })).resolves.toEqual({
      pairs: [{ user_id: c, other_id: d, blocked: true }],
    });
    const tooMany = Array.from({ length: 101 }, () => [a, b] as const);
    await expect(client.blockExists(tooMany)).rejects.toMatchObject({ code: 'TOO_MANY_IDS' });
    await expect(client.call(GRAPH_RPC_PATTERNS.blockExists, { pairs: [{ user_id: 'x', other_id: d }] })).rejects.toMatchObject({ code: 'INVALID_USER_ID' });
    await expect(client.call(GRAPH_RPC_PATTERNS.blockExists, { pairs: [[c, d]] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(client.call(GRAPH_RPC_PATTERNS.blockExists, {})).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
