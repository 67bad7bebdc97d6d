import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, TooManyIdsError, ValidationError } from '@graph/domain';

/** Limits of the read use cases (REST and Kafka request-reply share them). */
export const READ_LIMITS = {
  relationshipIds: 100,
  statsIds: 100,
  filterFollowedIds: 1000,
  blockExistsPairs: 100,
  idsPageDefault: 1000,
  idsPageMax: 5000,
  recommendationsDefault: 10,
  recommendationsMax: 50,
  pageDefault: DEFAULT_PAGE_SIZE,
  pageMax: MAX_PAGE_SIZE,
} as const;

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
