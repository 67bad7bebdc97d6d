import { KeyObject, createPublicKey, createSecretKey } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { UnauthorizedError, parseUserId } from '@graph/domain';
import { AppConfig } from '../../config/app-config';
import { Caller } from './auth.types';

/** How many verified tokens are remembered, and for how long at most (a token's own `exp` comes first). */
const MEMO_SIZE = 10_000;
const MEMO_MS = 60_000;

/**
 * Verifies bearer tokens locally: HS256 with the shared secret or RS256 with the public key.
 * A client sends the same token on every call: a token string that verified is remembered briefly
 * (never past its `exp`), so the signature check and JSON decoding run once per token, not per
 * call. The key is the whole token, signature included, so a remembered answer is the answer.
 */
@Injectable()
export class TokenVerifier {
  private readonly verified = new Map<string, { caller: Caller; until: number }>();

  // Built once: given a string, jsonwebtoken tries createPublicKey on it (and fails, for a secret)
  // on every call, which cost about a tenth of the CPU of a cached read.
  private readonly key: KeyObject;

  constructor(private readonly config: AppConfig) {
    const auth = config.auth;
    this.key = auth.algorithm === 'HS256' ? createSecretKey(Buffer.from(auth.secret, 'utf8')) : createPublicKey(auth.publicKey);
  }

  verify(authorization: string | undefined): Caller {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedError('missing bearer token (Authorization: Bearer <JWT>)');
    const token = match[1]!;
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && known.until > now) return known.caller;
    if (known) this.verified.delete(token);
    const { caller, expiresAt } = this.check(token);
    if (this.verified.size >= MEMO_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { caller, until: Math.min(now + MEMO_MS, expiresAt) });
    return caller;
  }

  private check(token: string): { caller: Caller; expiresAt: number } {
    const auth = this.config.auth;
    let claims: jwt.JwtPayload;
    try {
      const decoded = jwt.verify(token, this.key, {
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
    // Shared by every call that presents the token: frozen.
    const caller: Caller = Object.freeze({ userId, roles: Object.freeze(roles) as string[], isAdmin: roles.includes('admin') });
    // jsonwebtoken refuses a token from its `exp` second on: remember it until then only.
    return { caller, expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : Number.POSITIVE_INFINITY };
  }
}
