import { KafkaHeaders, ServerKafka } from '@nestjs/microservices';
import type { Consumer, EachMessagePayload } from 'kafkajs';
import { ConcurrentServerKafka } from './concurrent-server-kafka';

function message(headers: Record<string, string>, ageMs = 0, offset = '0'): EachMessagePayload {
  const timestamp = String(Date.now() - ageMs);
  return { topic: 't', partition: 0, message: { headers, timestamp, offset, value: Buffer.from('{}') } } as unknown as EachMessagePayload;
}
const request = (ageMs = 0, offset = '0') => message({ [KafkaHeaders.CORRELATION_ID]: 'c', [KafkaHeaders.REPLY_TOPIC]: 't.reply' }, ageMs, offset);
const event = (offset = '0') => message({}, 0, offset);

/** A kafkajs consumer as far as the server's offset commits use it. */
function fakeConsumer() {
  const commits: unknown[] = [];
  let onCommit: () => void = () => undefined;
  const consumer = {
    events: { COMMIT_OFFSETS: 'consumer.commit_offsets' },
    on: (_event: string, listener: () => void) => {
      onCommit = listener;
      return () => (onCommit = () => undefined);
    },
    // As kafkajs: the commit event fires once the broker took the commit.
    commitOffsets: jest.fn(async (offsets: unknown) => {
      commits.push(offsets);
      onCommit();
    }),
  };
  return { consumer: consumer as unknown as Consumer, commits };
}

describe('ConcurrentServerKafka', () => {
  // Nest's handling of one message, held open until the test releases it.
  let pending: (() => void)[];
  beforeEach(() => {
    pending = [];
    jest.spyOn(ServerKafka.prototype, 'handleMessage').mockImplementation(() => new Promise<void>((resolve) => pending.push(resolve)));
  });
  afterEach(() => jest.restoreAllMocks());
  const tick = () => new Promise((r) => setImmediate(r));

  it('starts requests without waiting for earlier ones, up to maxInFlight, then waits for a slot', async () => {
    const server = new ConcurrentServerKafka({}, 2);
    await server.handleMessage(request());
    await server.handleMessage(request());
    expect(pending).toHaveLength(2);

    let thirdAccepted = false;
    const third = server.handleMessage(request()).then(() => (thirdAccepted = true));
    await tick();
    expect(thirdAccepted).toBe(false);
    expect(pending).toHaveLength(2);

    pending[0]!();
    await third;
    expect(pending).toHaveLength(3);
  });

  it('drops requests older than staleAfterMs unanswered (their callers gave up), answers fresh ones', async () => {
    const server = new ConcurrentServerKafka({}, 2, 30000);
    await server.handleMessage(request(31000));
    expect(pending).toHaveLength(0);
    await server.handleMessage(request(100));
    expect(pending).toHaveLength(1);
  });

  it('handles events one at a time: eachMessage returns only when the handler is done', async () => {
    const server = new ConcurrentServerKafka({}, 2);
    let done = false;
    const handling = server.handleMessage(event()).then(() => (done = true));
    await tick();
    expect(done).toBe(false);
    pending[0]!();
    await handling;
    expect(done).toBe(true);
  });

  it('lets the requests in flight finish before closing', async () => {
    const server = new ConcurrentServerKafka({}, 4);
    const close = jest.spyOn(ServerKafka.prototype, 'close').mockResolvedValue(undefined);
    await server.handleMessage(request());
    const closing = server.close();
    await tick();
    expect(close).not.toHaveBeenCalled();
    pending[0]!();
    await closing;
    expect(close).toHaveBeenCalled();
  });

  it('commits a request’s offset once it has started and an event’s only once handled', async () => {
    jest.spyOn(ServerKafka.prototype, 'bindEvents').mockResolvedValue(undefined);
    jest.spyOn(ServerKafka.prototype, 'close').mockResolvedValue(undefined);
    const { consumer, commits } = fakeConsumer();
    const server = new ConcurrentServerKafka({}, 4, 30000, 20);
    await server.bindEvents(consumer);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    await server.handleMessage(request(0, '7'));
    const handlingEvent = server.handleMessage(event('8'));
    await sleep(80);
    expect(commits.at(-1)).toEqual([{ topic: 't', partition: 0, offset: '8' }]);

    pending[1]!();
    await handlingEvent;
    await sleep(80);
    expect(commits.at(-1)).toEqual([{ topic: 't', partition: 0, offset: '9' }]);
    pending[0]!();
    await server.close();
  });

  it('routes topic-name patterns as Nest does, without trying them as JSON', () => {
    const server = new ConcurrentServerKafka({});
    const parse = jest.spyOn(JSON, 'parse');
    expect(server.getRouteFromPattern('graph.rpc.stats')).toBe('graph.rpc.stats');
    expect(parse).not.toHaveBeenCalled();
    const objectPattern = JSON.stringify({ cmd: 'sum', v: 1 });
    const nestRoute = (ServerKafka.prototype as unknown as { getRouteFromPattern(p: string): string }).getRouteFromPattern;
    expect(server.getRouteFromPattern(objectPattern)).toBe(nestRoute.call(server, objectPattern));
  });
});
