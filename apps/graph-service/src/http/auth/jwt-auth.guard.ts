import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError } from '@graph/domain';
import { AuthenticatedRequest } from './auth.types';
import { IS_PUBLIC, REQUIRED_ROLE } from './auth.decorators';
import { TokenVerifier } from './token-verifier';

/** Global guard: every HTTP route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const caller = await this.verifier.verify(Array.isArray(header) ? header[0] : header);
    const role = this.reflector.getAllAndOverride<string | undefined>(REQUIRED_ROLE, targets);
    if (role && !caller.roles.includes(role)) throw new ForbiddenError(`this needs the ${role} role`);
    request.caller = caller;
    return true;
  }
}
