import { KeyObject, createPublicKey, createSecretKey, webcrypto } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RemoteJWKSet, createRemoteJWKSet, errors as joseErrors } from 'jose';
import jwt, { JwtPayload } from 'jsonwebtoken';
import { UnauthorizedError, UnavailableError, parseUserId } from '@graph/domain';
import { AppConfig } from '../../config/app-config';
import { Caller } from './auth.types';

/** How many verified tokens are remembered, and for how long at most (a token's own `exp` comes first). */
const MEMO_SIZE = 10_000;
const MEMO_MS = 60_000;
/** A JWKS fetch that takes longer fails (the request answers 503 when no cached key fits). */
const JWKS_TIMEOUT_MS = 5_000;

/** jose's codes for a key set that answered but holds no key for the token (as opposed to one that cannot be fetched). */
const KEY_SET_FAULTS = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'ERR_JWKS_INVALID', 'ERR_JOSE_NOT_SUPPORTED']);

/**
 * Verifies bearer tokens locally: HS256 with the shared secret, or RS256 with a PEM public key or
 * the keys of a JWKS URL. Every token must carry `exp`; `iss` and `aud` are checked when
 * configured; `exp` and `nbf` get the configured clock tolerance.
 *
 * The signature and claims are checked by jsonwebtoken, synchronously with node:crypto: 4-8 µs of
 * CPU for an HS256 token here, against 50-70 µs for jose, which verifies through WebCrypto's async
 * jobs (a hop to libuv's thread pool and back for every token; docs/performance.md). jose still
 * keeps the JWKS (`createRemoteJWKSet`: fetched once, kept JWT_JWKS_CACHE_SECONDS, fetched again
 * when a token names a key id it does not hold, at most once per cooldown), so a rotation needs no
 * restart.
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
  private readonly key: KeyObject | RemoteJWKSet;
  /** The JWKS's keys as node:crypto keys, converted once per key jose hands out. */
  private readonly jwksKeys = new WeakMap<webcrypto.CryptoKey, KeyObject>();

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
    const key = this.key instanceof KeyObject ? this.key : await this.jwksKey(token, this.key);
    let claims: JwtPayload;
    try {
      const { header, payload } = jwt.verify(token, key, {
        complete: true,
        algorithms: [auth.algorithm],
        clockTolerance: auth.clockToleranceSeconds,
      });
      // No extension is understood here, so a token that makes one critical is refused (RFC 7515 §4.1.11);
      // a payload that is not a claims object (a JSON string, say) is no token of ours.
      if ('crit' in header || typeof payload !== 'object' || Array.isArray(payload)) throw new UnauthorizedError('invalid token');
      claims = payload;
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw new UnauthorizedError('token expired');
      // A bad signature, a malformed token, another algorithm, a token not yet valid (NotBeforeError).
      throw error instanceof UnauthorizedError ? error : new UnauthorizedError('invalid token');
    }
    // jsonwebtoken checks `exp` only when present, and refuses one that is not a number.
    if (claims.exp === undefined) throw new UnauthorizedError('token has no exp (every token must expire)');
    // Here rather than in jsonwebtoken, which checks the audience first: a token from another issuer
    // is told so, whatever its audience.
    if (auth.issuer !== undefined && claims.iss !== auth.issuer) throw new UnauthorizedError('token issuer not accepted');
    if (auth.audience !== undefined) {
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.some((aud) => auth.audience!.includes(aud as string))) throw new UnauthorizedError('token audience not accepted');
    }
    let userId;
    try {
      userId = parseUserId(claims.sub, 'sub');
    } catch {
      throw new UnauthorizedError('token subject is not a user id');
    }
    const roles = Array.isArray(claims.roles) ? (claims.roles as unknown[]).filter((r): r is string => typeof r === 'string') : [];
    // Shared by every call that presents the token: frozen.
    const caller: Caller = Object.freeze({ userId, roles: Object.freeze(roles) as string[], isAdmin: roles.includes('admin') });
    // Refused from `exp` + tolerance on: remember it until then only.
    return { caller, expiresAt: (claims.exp + auth.clockToleranceSeconds) * 1000 };
  }

  /**
   * The JWKS key the token's header names. Only a token of the configured algorithm is looked up:
   * any other would make jose search (and refetch) the set for a key type it will never hold.
   */
  private async jwksKey(token: string, keySet: RemoteJWKSet): Promise<KeyObject> {
    const header = jwt.decode(token, { complete: true })?.header;
    if (!header || header.alg !== this.config.auth.algorithm) throw new UnauthorizedError('invalid token');
    let found: webcrypto.CryptoKey;
    try {
      found = await keySet({ alg: header.alg, ...(header.kid !== undefined ? { kid: header.kid } : {}) });
    } catch (error) {
      throw this.keySetRefusal(error);
    }
    let key = this.jwksKeys.get(found);
    if (!key) {
      key = KeyObject.from(found);
      this.jwksKeys.set(found, key);
    }
    return key;
  }

  private keySetRefusal(error: unknown): Error {
    if (error instanceof joseErrors.JWKSNoMatchingKey) return new UnauthorizedError('token signed by an unknown key');
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'string' && KEY_SET_FAULTS.has(code)) return new UnauthorizedError('invalid token');
    // Anything else came from fetching the key set: the service's problem, not the caller's.
    return new UnavailableError('the token key set cannot be fetched; retry shortly');
  }
}
