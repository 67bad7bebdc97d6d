import { ArgumentMetadata, Injectable, Param, PipeTransform } from '@nestjs/common';
import { UserId, parseUserId } from '@graph/domain';

/** A route parameter that must be a user id; INVALID_USER_ID names the parameter otherwise. */
@Injectable()
export class UserIdPipe implements PipeTransform<unknown, UserId> {
  transform(value: unknown, metadata: ArgumentMetadata): UserId {
    return parseUserId(value, metadata.data ?? 'userId');
  }
}

/** `@UserIdParam('userId') userId: UserId` — the route parameter, parsed as a user id. */
export const UserIdParam = (name: string): ParameterDecorator => Param(name, UserIdPipe);
