import { ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Caller, AuthenticatedRequest } from './auth.types';

export const IS_PUBLIC = 'graph:isPublic';
export const REQUIRED_ROLE = 'graph:requiredRole';

/** The route needs no token (health, metrics). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The route needs a token whose `roles` contain `role`. */
export const RequireRole = (role: 'admin') => SetMetadata(REQUIRED_ROLE, role);

/** The verified caller of the request. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().caller!;
});
