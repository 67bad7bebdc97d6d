import { TooManyIdsError, ValidationError } from '@graph/domain';

// The limits themselves are GRAPH_LIMITS in the domain; these check a request against them.

/** `limit` absent → the default; otherwise a whole number in [1, max], or VALIDATION_FAILED naming the field. */
export function pageLimit(value: number | undefined, fallback: number, max: number, field = 'limit'): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(`${field} must be a whole number between 1 and ${max}`, field);
  }
  return value;
}

export function assertAtMost(ids: readonly unknown[], max: number, field: string): void {
  if (ids.length > max) throw new TooManyIdsError(field, max);
}
