import { ArgumentMetadata, Param, PipeTransform, Query } from '@nestjs/common';
import { UserId, parseUserId } from '@graph/domain';

/**
 * A route or query parameter that must be a user id; INVALID_USER_ID names the parameter
 * otherwise. `optional`: an absent parameter stays undefined. Stateless, so shared instances.
 */
class UserIdPipe implements PipeTransform<unknown, UserId | undefined> {
  constructor(private readonly options: { optional?: boolean } = {}) {}

  transform(value: unknown, metadata: ArgumentMetadata): UserId | undefined {
    if (value === undefined && this.options.optional) return undefined;
    return parseUserId(value, metadata.data ?? 'userId');
  }
}

const required = new UserIdPipe();
const optional = new UserIdPipe({ optional: true });

/** `@UserIdParam('userId') userId: UserId` — the route parameter, parsed as a user id. */
export const UserIdParam = (name: string): ParameterDecorator => Param(name, required);

/** `@OptionalUserIdQuery('after') after?: UserId` — a query parameter that, when given, must be a user id. */
export const OptionalUserIdQuery = (name: string): ParameterDecorator => Query(name, optional);
