import { InvalidUserIdError } from '../graph.errors';

/**
 * A user id: a positive 64-bit integer kept as its canonical decimal string, so that no layer
 * loses precision above 2^53 (JSON numbers, JS numbers) and Postgres BIGINT maps to it directly.
 */
export type UserId = string & { readonly __brand: 'UserId' };

export const MAX_USER_ID = 9223372036854775807n;
const DECIMAL = /^[0-9]{1,19}$/;

/** Accepts a decimal string or a safe JSON integer; anything else throws INVALID_USER_ID naming `field`. */
export function parseUserId(value: unknown, field: string): UserId {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new InvalidUserIdError(field);
    text = String(value);
  } else if (typeof value === 'bigint') {
    text = value.toString();
  } else if (typeof value === 'string') {
    text = value;
  } else {
    throw new InvalidUserIdError(field);
  }
  if (!DECIMAL.test(text)) throw new InvalidUserIdError(field);
  const n = BigInt(text);
  if (n < 1n || n > MAX_USER_ID) throw new InvalidUserIdError(field);
  return n.toString() as UserId;
}

/** Parses a list of ids (array or comma-separated string), keeping order; duplicates are kept. */
export function parseUserIdList(value: unknown, field: string): UserId[] {
  const parts = typeof value === 'string' ? (value === '' ? [] : value.split(',')) : value;
  if (!Array.isArray(parts)) throw new InvalidUserIdError(field);
  return parts.map((p, i) => parseUserId(typeof p === 'string' ? p.trim() : p, `${field}[${i}]`));
}

export function compareUserIds(a: UserId, b: UserId): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
