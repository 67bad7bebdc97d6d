import { AsyncLocalStorage } from 'node:async_hooks';

/** Facts about the request being served, visible to every log line written while serving it. */
export interface RequestContext {
  requestId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
