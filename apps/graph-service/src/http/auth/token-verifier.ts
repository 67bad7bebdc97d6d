import { KeyObject, createPublicKey, createSecretKey, webcrypto } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JWTPayload, JWTVerifyGetKey, createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { UnauthorizedError, UnavailableError, parseUserId } from '@graph/domain';
import { AppConfig } from '../../config/app-config';
import { Caller } from './auth.types';

/** How many verified tokens are remembered, and for how long at most (a token's own `exp` comes first). */
const MEMO_SIZE = 10_000;
const MEMO_MS = 60_000;
/** A JWKS fetch that takes longer fails (the request answers 503 when no cached key fits). */
const JWKS_TIMEOUT_MS = 5_000;

/** jose's codes for a token that is wrong in itself (as opposed to a key set that cannot be fetched). */
const TOKEN_FAULTS = new Set([
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_EXPIRED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

/**
 * Verifies bearer tokens locally with jose: HS256 with the shared secret, or RS256 with a PEM
 * public key or the keys of a JWKS URL (fetched once, kept JWT_JWKS_CACHE_SECONDS, fetched again
 * when a token names a key id it does not hold, so a rotation needs no restart). Every token must
 * carry `exp`; `iss` and `aud` are checked when configured; `exp` and `nbf` get the configured
 * clock tolerance.
 *
 * A client sends the same token on every call: a token string that verified is remembered briefly
 * (never past its `exp`), so the signature check and JSON decoding run once per token, not per
 * call. The key is the whole token, signature included, so a remembered answer is the answer (a
 * key withdrawn from the JWKS stops working for tokens already seen within MEMO_MS).
 */
@Injectable()
export class TokenVerifier {
  private readonly verified = new Map<string, { caller: Caller; until: number }>();

  // Built once: a string key would be parsed again on every verification.
  private readonly key: KeyObject | JWTVerifyGetKey;
  /**
   * The key as a WebCrypto key, imported once: jose verifies with WebCrypto, and given a KeyObject
   * it imports it again on every call (about half of a verification's CPU).
   */
  private cryptoKey?: Promise<webcrypto.CryptoKey>;

  constructor(private readonly config: AppConfig) {
    const auth = config.auth;
    this.key =
      'secret' in auth
        ? createSecretKey(Buffer.from(auth.secret, 'utf8'))
        : 'publicKey' in auth
          ? createPublicKey(auth.publicKey)
          : createRemoteJWKSet(new URL(auth.jwks.url), {
              cacheMaxAge: auth.jwks.cacheSeconds * 1000,
              cooldownDuration: auth.jwks.cooldownSeconds * 1000,
              timeoutDuration: JWKS_TIMEOUT_MS,
            });
  }

  async verify(authorization: string | undefined): Promise<Caller> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedError('missing bearer token (Authorization: Bearer <JWT>)');
    const token = match[1]!;
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && known.until > now) return known.caller;
    if (known) this.verified.delete(token);
    const { caller, expiresAt } = await this.check(token);
    if (this.verified.size >= MEMO_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { caller, until: Math.min(now + MEMO_MS, expiresAt) });
    return caller;
  }

  private async check(token: string): Promise<{ caller: Caller; expiresAt: number }> {
    const auth = this.config.auth;
    let claims: JWTPayload;
    try {
      const options = {
        algorithms: [auth.algorithm],
        requiredClaims: ['exp'],
        clockTolerance: auth.clockToleranceSeconds,
        ...(auth.issuer !== undefined ? { issuer: auth.issuer } : {}),
        ...(auth.audience !== undefined ? { audience: auth.audience } : {}),
      };
      // Two calls rather than one with a union key: jose types the two overloads apart.
      claims = (this.key instanceof KeyObject ? await jwtVerify(token, await this.imported(this.key), options) : await jwtVerify(token, this.key, options)).payload;
    } catch (error) {
      throw this.refusal(error);
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
    // Refused from `exp` + tolerance on: remember it until then only (requiredClaims makes `exp` a number).
    return { caller, expiresAt: (claims.exp! + auth.clockToleranceSeconds) * 1000 };
  }

  private imported(key: KeyObject): Promise<webcrypto.CryptoKey> {
    const algorithm = this.config.auth.algorithm === 'HS256' ? { name: 'HMAC', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    this.cryptoKey ??=
      key.type === 'secret'
        ? webcrypto.subtle.importKey('raw', key.export(), algorithm, false, ['verify'])
        : webcrypto.subtle.importKey('spki', key.export({ type: 'spki', format: 'der' }), algorithm, false, ['verify']);
    return this.cryptoKey;
  }

  private refusal(error: unknown): Error {
    if (error instanceof errors.JWTExpired) return new UnauthorizedError('token expired');
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'exp') return new UnauthorizedError('token has no exp (every token must expire)');
      if (error.claim === 'iss') return new UnauthorizedError('token issuer not accepted');
      if (error.claim === 'aud') return new UnauthorizedError('token audience not accepted');
      return new UnauthorizedError('invalid token');
    }
    if (error instanceof errors.JWKSNoMatchingKey) return new UnauthorizedError('token signed by an unknown key');
    const code = (error as { code?: unknown })?.code;
    // A token that cannot be checked because the key set is unreachable is the service's problem, not the caller's.
    if ('jwks' in this.config.auth && !(typeof code === 'string' && TOKEN_FAULTS.has(code))) {
      return new UnavailableError('the token key set cannot be fetched; retry shortly');
    }
    return new UnauthorizedError('invalid token');
  }
}
