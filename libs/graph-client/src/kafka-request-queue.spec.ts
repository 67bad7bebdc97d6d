import { stopIdleRequestQueueLoop } from './kafka-request-queue';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => {
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  throttledUntil: number;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
};

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queueOf = () => new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 1000, enforceRequestTimeout: false, clientId: 'test', broker: 'test:9092', logger });

describe('stopIdleRequestQueueLoop (kafkajs RequestQueue patched)', () => {
  beforeAll(() => expect(stopIdleRequestQueueLoop()).toBe(true));

  it('arms no timer when nothing is pending', () => {
    const queue = queueOf();
    queue.checkPendingRequests();
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
  });

  it('still checks again later when requests wait behind a throttle', () => {
    const queue = queueOf();
    queue.throttledUntil = Date.now() + 60_000;
    queue.pending.push({});
    queue.scheduleCheckPendingRequests();
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    queue.destroy();
  });
});
