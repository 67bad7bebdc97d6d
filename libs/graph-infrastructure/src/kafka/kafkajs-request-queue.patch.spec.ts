// Pins patches/kafkajs+2.2.4.patch (applied by patch-package at npm install): kafkajs 2.2.4 armed a
// timer of negative delay after every check of an empty request queue, a 1 ms loop per broker
// connection that kept an idle service at ~7 % of a core (tulios/kafkajs#1556).
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

describe('kafkajs request queue (patched)', () => {
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
