import { randomUUID } from 'node:crypto';
import { INestApplication, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { GraphClient, GraphClientError, GraphClientModule } from '@graph/client';
import { GRAPH_RPC_PATTERNS } from '@graph/contracts';
import { testInfra } from '../setup/test-infra';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';

describe('Kafka request-reply (graph.rpc.*)', () => {
  let app: INestApplication;
  let client: GraphClient;
  const [alice, bob, carol, dave] = [freshUserId(), freshUserId(), freshUserId(), freshUserId()];
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await startTestApp();
    client = new GraphClient({ brokers: testInfra.kafkaBrokers.split(','), groupId: `test-rpc-${randomUUID()}`, timeoutMs: 10000 });
    await client.onModuleInit();
    // bob, carol and dave follow alice; alice follows bob; dave is private and carol requests him.
    for (const f of [bob, carol, dave]) await http().post(`${G}/follow/${alice}`).set(bearer(f)).expect(200);
    await http().post(`${G}/follow/${bob}`).set(bearer(alice)).expect(200);
    await http().put(`${G}/settings`).set(bearer(dave)).send({ is_private: true }).expect(200);
    await http().post(`${G}/follow/${dave}`).set(bearer(carol)).expect(200);
  });
  afterAll(async () => {
    await client?.onModuleDestroy();
    await app?.close();
  });

  it('answers the very first request after start', async () => {
    await expect(client.stats([alice])).resolves.toEqual([
      { user_id: alice, follower_count: 3, following_count: 1, pending_requests_count: 0 },
    ]);
  });

  it('graph.rpc.relationships: as REST, in the order asked', async () => {
    const rels = await client.relationships(alice, [bob, carol, dave]);
    expect(rels.map((r) => [r.user_id, r.relationship])).toEqual([
      [bob, 'mutual'],
      [carol, 'followed_by'],
      [dave, 'followed_by'],
    ]);
    expect(rels[0]).toEqual({
      user_id: bob,
      following: true,
      followed_by: true,
      mutual: true,
      requested: false,
      requested_by: false,
      blocking: false,
      blocked_by: false,
      relationship: 'mutual',
      notifying: false,
      showing_reposts: true,
      languages: null,
      muting: false,
      muting_notifications: false,
      muting_expires_at: null,
    });
    const fromCarol = await client.relationships(carol, [dave]);
    expect(fromCarol[0]).toMatchObject({ requested: true, relationship: 'requested' });
  });

  it('graph.rpc.is_following: the subset followed (accepted only)', async () => {
    await expect(client.isFollowing(carol, [alice, bob, dave])).resolves.toEqual([alice]);
    // JSON integers are accepted as ids too.
    await expect(client.call(GRAPH_RPC_PATTERNS.isFollowing, { follower_id: Number(bob), following_ids: [alice] })).resolves.toEqual({
      following_ids: [alice],
    });
  });

  it('graph.rpc.follower_ids / following_ids: every id in keyset pages', async () => {
    const first = await client.followerIds(alice, { limit: 2 });
    expect(first.user_ids).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await client.followerIds(alice, { limit: 2, cursor: first.next_cursor });
    expect(second).toEqual({ user_ids: [expect.any(String)], next_cursor: null });
    // Newest edge first: dave followed last.
    expect([...first.user_ids, ...second.user_ids]).toEqual([dave, carol, bob]);
    // The private account's lists are served too: callers are trusted services.
    await expect(client.followingIds(dave)).resolves.toEqual({ user_ids: [alice], next_cursor: null });
  });

  it('graph.rpc.stats: exact counters for each id', async () => {
    const stats = await client.stats([dave, alice]);
    expect(stats).toEqual([
      { user_id: dave, follower_count: 0, following_count: 1, pending_requests_count: 1 },
      { user_id: alice, follower_count: 3, following_count: 1, pending_requests_count: 0 },
    ]);
  });

  it('answers a bad payload with an error reply, never a crash or a hang', async () => {
    const cases: [string, unknown, string][] = [
      [GRAPH_RPC_PATTERNS.stats, { user_ids: ['12abc'] }, 'INVALID_USER_ID'],
      [GRAPH_RPC_PATTERNS.stats, { user_ids: 'x' }, 'VALIDATION_FAILED'],
      [GRAPH_RPC_PATTERNS.stats, 'not json', 'VALIDATION_FAILED'],
      [GRAPH_RPC_PATTERNS.relationships, { viewer_id: 0, user_ids: [alice] }, 'INVALID_USER_ID'],
      [GRAPH_RPC_PATTERNS.relationships, { viewer_id: alice, user_ids: Array.from({ length: 101 }, (_, i) => String(i + 1)) }, 'TOO_MANY_IDS'],
      [GRAPH_RPC_PATTERNS.isFollowing, { follower_id: alice, following_ids: Array.from({ length: 1001 }, (_, i) => i + 1) }, 'TOO_MANY_IDS'],
      [GRAPH_RPC_PATTERNS.followerIds, { user_id: alice, limit: 5001 }, 'VALIDATION_FAILED'],
      [GRAPH_RPC_PATTERNS.followerIds, { user_id: alice, cursor: 'tampered' }, 'INVALID_CURSOR'],
      [GRAPH_RPC_PATTERNS.followingIds, {}, 'INVALID_USER_ID'],
    ];
    for (const [pattern, payload, code] of cases) {
      const reply = await client.request(pattern as never, payload);
      expect([pattern, reply]).toEqual([pattern, { error: { code, message: expect.any(String) } }]);
    }
    // The typed methods throw the code.
    await expect(client.stats(Array.from({ length: 101 }, () => alice))).rejects.toMatchObject({ name: 'GraphClientError', code: 'TOO_MANY_IDS' });
    // And the server still answers afterwards.
    await expect(client.isFollowing(bob, [alice])).resolves.toEqual([alice]);
  });

  it('a cursor from one list is refused by the other', async () => {
    const page = await client.followerIds(alice, { limit: 1 });
    await expect(client.followingIds(alice, { cursor: page.next_cursor })).rejects.toEqual(expect.any(GraphClientError));
  });

  it('serves another Nest application through GraphClientModule in a few lines', async () => {
    @Injectable()
    class FeedFanOut {
      constructor(private readonly graph: GraphClient) {}

      async audience(userId: string): Promise<string[]> {
        const ids: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await this.graph.followerIds(userId, { cursor, limit: 2 });
          ids.push(...page.user_ids);
          cursor = page.next_cursor;
        } while (cursor);
        return ids;
      }
    }
    @Module({
      imports: [GraphClientModule.register({ brokers: testInfra.kafkaBrokers.split(','), groupId: `test-feed-${randomUUID()}` })],
      providers: [FeedFanOut],
    })
    class FeedModule {}

    const other = await NestFactory.createApplicationContext(FeedModule, { logger: false });
    try {
      const feed = other.get(FeedFanOut);
      await expect(feed.audience(alice)).resolves.toEqual([dave, carol, bob]);
      const graph = other.get(GraphClient);
      await expect(graph.isFollowing(alice, [bob, carol])).resolves.toEqual([bob]);
      await expect(graph.relationships('x', [])).rejects.toMatchObject({ code: 'INVALID_USER_ID' });
    } finally {
      await other.close();
    }
  });
});
