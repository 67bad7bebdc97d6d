import { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import { GraphModel } from '../support/graph-model';
import { ModelReal, checkEverything, modelCommands, startPrivate } from '../support/rest-model-commands';
import { freePort } from '../support/spare-services';
import { freshUserId, startTestApp } from '../support/test-app';

/**
 * The model test of the REST contract: seeded random sequences of REST calls by seven users
 * (follows with options, requests and answers, removals, blocks, mutes, privacy and list policies),
 * each answer checked against GraphModel (test/support/graph-model.ts, written from docs/api.md),
 * and reads (relationships with mutes and options, stats, lists, requests, blocks, mutes,
 * suggestions) checked after every write and at random, against the real service with Redis
 * caching on (a stale read is a mismatch), on both HTTP adapters.
 *
 * MODEL_SEED, MODEL_RUNS and MODEL_COMMANDS explore beyond the fixed seed; MODEL_SHRINK=1 shrinks a
 * failing sequence (slow: every try replays against the service).
 */
const USERS = 7;
const FOLLOWING_CAP = { base: 3, ratio: 1 };
const SEED = Number(process.env.MODEL_SEED ?? 16_016);
const RUNS = Number(process.env.MODEL_RUNS ?? 3);
const MAX_COMMANDS = Number(process.env.MODEL_COMMANDS ?? 200);

describe.each(['express', 'fastify'])('REST contract against its model on %s', (adapter) => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    app = await startTestApp({
      HTTP_ADAPTER: adapter,
      // A small following cap, so sequences reach it; a rate limit they never reach.
      FOLLOWING_CAP: String(FOLLOWING_CAP.base),
      FOLLOWING_CAP_RATIO: String(FOLLOWING_CAP.ratio),
      FOLLOW_RATE_LIMIT: '1000000',
      // Timed mutes of 1–2 s expire within a sequence; the sweeper deletes them meanwhile.
      MUTE_SWEEP_INTERVAL_SECONDS: '1',
    });
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}/api/v1/graph`;
  });
  afterAll(() => app?.close());

  it('answers every call of random sequences as the model does, and every read agrees with it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands([modelCommands(USERS)], { maxCommands: MAX_COMMANDS, size: 'max' }), async (commands) => {
        const users = Array.from({ length: USERS }, () => freshUserId());
        const model = new GraphModel(users, FOLLOWING_CAP);
        const real: ModelReal = { base, users };
        await startPrivate(model, real, users.slice(0, 2));
        await fc.asyncModelRun(() => ({ model, real }), commands);
        await checkEverything(model, real);
      }),
      { seed: SEED + (adapter === 'fastify' ? 1 : 0), numRuns: RUNS, endOnFailure: process.env.MODEL_SHRINK !== '1' },
    );
  }, 60_000 + RUNS * MAX_COMMANDS * 200); // ~25 ms a step on express here (4 reads after each write); loose for a loaded machine
});
