import { TooManyIdsError, UserId, ValidationError, parseUserId } from '@graph/domain';

/**
 * Validation of request-reply and user.events payloads at the Kafka edge. Internal callers send
 * JSON; anything else (a bare string, a number, an array) is refused with VALIDATION_FAILED naming
 * the field. Unknown fields are ignored, so callers may send newer payloads.
 */
export function payloadObject(value: unknown, field = 'payload'): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(`${field} must be a JSON object`, field);
  }
  return value as Record<string, unknown>;
}

/** A list of at most `max` user ids (decimal strings or JSON integers), order and repeats kept. */
export function idList(value: unknown, field: string, max: number): UserId[] {
  if (!Array.isArray(value)) throw new ValidationError(`${field} must be an array of user ids`, field);
  if (value.length > max) throw new TooManyIdsError(field, max);
  return value.map((v, i) => parseUserId(v, `${field}[${i}]`));
}

export function optionalCursor(value: unknown, field = 'cursor'): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value === '') throw new ValidationError(`${field} must be a string from next_cursor`, field);
  return value;
}

/** A whole number in [1, max]; absent → undefined (the use case applies its default). */
export function optionalLimit(value: unknown, max: number, field = 'limit'): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(`${field} must be a whole number between 1 and ${max}`, field);
  }
  return value;
}

export function requiredBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(`${field} must be true or false`, field);
  return value;
}

/** An ISO-8601 instant; absent → null. */
export function optionalInstant(value: unknown, field: string): Date | null {
  if (value === undefined || value === null) return null;
  const at = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : null;
  if (!at || Number.isNaN(at.getTime())) throw new ValidationError(`${field} must be an ISO-8601 instant such as 2026-12-01T12:00:00Z`, field);
  return at;
}

export function optionalBoolean(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  return requiredBoolean(value, field);
}
