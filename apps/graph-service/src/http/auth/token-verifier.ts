import { Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { UnauthorizedError, parseUserId } from '@graph/domain';
import { AppConfig } from '../../config/app-config';
import { Caller } from './auth.types';

/** Verifies bearer tokens locally: HS256 with the shared secret or RS256 with the public key. */
@Injectable()
export class TokenVerifier {
  constructor(private readonly config: AppConfig) {}

  verify(authorization: string | undefined): Caller {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedError('missing bearer token (Authorization: Bearer <JWT>)');
    const auth = this.config.auth;
    let claims: jwt.JwtPayload;
    try {
      const decoded = jwt.verify(match[1]!, auth.algorithm === 'HS256' ? auth.secret : auth.publicKey, {
        algorithms: [auth.algorithm],
      });
      if (typeof decoded === 'string') throw new Error('token payload is not an object');
      claims = decoded;
    } catch (error) {
      const reason = error instanceof jwt.TokenExpiredError ? 'token expired' : 'invalid token';
      throw new UnauthorizedError(reason);
    }
    let userId;
    try {
      userId = parseUserId(claims.sub, 'sub');
    } catch {
      throw new UnauthorizedError('token subject is not a user id');
    }
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
    return { userId, roles, isAdmin: roles.includes('admin') };
  }
}
