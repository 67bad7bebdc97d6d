import { createRequire } from 'node:module';

interface RequestQueueInternals {
  pending: unknown[];
  scheduleCheckPendingRequests(this: RequestQueueInternals): void;
}

let installed: boolean | null = null;

/**
 * Stops kafkajs' idle timer loop: kafkajs 2.2.4 re-arms a timer of negative delay after every check
 * of an empty request queue (tulios/kafkajs#1556), a 1 ms loop per broker connection for the life of
 * the process (an idle service: ~1,600 wake-ups a second, 6.5 % of a core). With nothing pending
 * there is nothing to check: a request that has to wait is pushed to `pending`, which schedules a
 * check itself, and an answered request checks the queue. Patched on the prototype, so clients made
 * before the call are covered too. Installed once per process; idempotent. Returns whether the patch
 * is in place.
 */
export function stopIdleRequestQueueLoop(): boolean {
  if (installed !== null) return installed;
  let proto: RequestQueueInternals | undefined;
  try {
    proto = (createRequire(__filename)('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals }).prototype;
  } catch {
    proto = undefined;
  }
  if (typeof proto?.scheduleCheckPendingRequests !== 'function') return (installed = false);
  const schedule = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueInternals) {
    if (this.pending.length > 0) schedule.call(this);
  };
  return (installed = true);
}
