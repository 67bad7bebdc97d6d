import { GraphError } from '../graph.errors';

/** 'ok' when `promise` resolves, the GraphError's code when it rejects with one (anything else is rethrown). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof GraphError) return error.code;
    throw error;
  }
}
