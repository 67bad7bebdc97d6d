import { KeyObject, createHmac, generateKeyPairSync } from 'node:crypto';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { exportJWK } from 'jose';
import { UnauthorizedError, UnavailableError } from '@graph/domain';
import { AppConfig, AuthConfig } from '../../config/app-config';
import { TokenVerifier } from './token-verifier';

const SECRET = 'unit-secret-0123456789';
const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;
/** A verifier of HS256 tokens with SECRET, unless `auth` names RS256 keys; no clock tolerance unless given. */
const verifierWith = (auth: Partial<AuthConfig> = {}) => {
  const key = 'publicKey' in auth || 'jwks' in auth ? {} : { algorithm: 'HS256', secret: SECRET, usingDevelopmentSecret: false };
  return new TokenVerifier({ auth: { ...key, clockToleranceSeconds: 0, ...auth } } as unknown as AppConfig);
};
const sign = (claims: object, secret = SECRET) => `Bearer ${jwt.sign(claims, secret, { algorithm: 'HS256' })}`;
/** HS256 over any payload (and header), even one jsonwebtoken refuses to sign. */
const signRaw = (payload: unknown, header: object = { alg: 'HS256', typ: 'JWT' }) => {
  const body = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `Bearer ${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
};

describe('TokenVerifier', () => {
  const verifier = verifierWith();
  afterEach(() => jest.useRealTimers());

  it('remembers a verified token but never past its exp', async () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const exp = Math.floor(Date.now() / 1000) + 5;
    const token = sign({ sub: '42', roles: ['admin'], exp });
    expect(await verifier.verify(token)).toEqual({ userId: '42', roles: ['admin'], isAdmin: true });
    jest.setSystemTime(exp * 1000 - 1);
    expect((await verifier.verify(token)).userId).toBe('42');
    jest.setSystemTime(exp * 1000);
    await expect(verifier.verify(token)).rejects.toThrow(new UnauthorizedError('token expired'));
  });

  it('remembers only tokens that verified, each by its whole string', async () => {
    const good = sign({ sub: '7', exp: inSeconds(60) });
    const forged = sign({ sub: '7', exp: inSeconds(60) }, 'another-secret');
    expect((await verifier.verify(good)).userId).toBe('7');
    await expect(verifier.verify(forged)).rejects.toThrow(UnauthorizedError);
    await expect(verifier.verify(forged)).rejects.toThrow(UnauthorizedError);
    await expect(verifier.verify(good.slice(0, -2))).rejects.toThrow(UnauthorizedError);
    await expect(verifier.verify(undefined)).rejects.toThrow(UnauthorizedError);
    await expect(verifier.verify(sign({ sub: 'x', exp: inSeconds(60) }))).rejects.toThrow(new UnauthorizedError('token subject is not a user id'));
  });

  it('refuses a token without exp: it would never expire', async () => {
    expect((await verifier.verify(signRaw({ sub: '42', exp: inSeconds(60) }))).userId).toBe('42');
    await expect(verifier.verify(sign({ sub: '42' }))).rejects.toThrow(new UnauthorizedError('token has no exp (every token must expire)'));
    await expect(verifier.verify(signRaw({ sub: '42', exp: 'tomorrow' }))).rejects.toThrow(UnauthorizedError);
  });

  it('refuses a payload that is not a claims object, and a header that makes an extension critical', async () => {
    await expect(verifier.verify(signRaw('42'))).rejects.toThrow(new UnauthorizedError('invalid token'));
    await expect(verifier.verify(signRaw([{ sub: '42', exp: inSeconds(60) }]))).rejects.toThrow(new UnauthorizedError('invalid token'));
    const claims = { sub: '42', exp: inSeconds(60) };
    expect((await verifier.verify(signRaw(claims, { alg: 'HS256', typ: 'JWT', kid: 'k1' }))).userId).toBe('42');
    await expect(verifier.verify(signRaw(claims, { alg: 'HS256', crit: ['exp'], exp: 1 }))).rejects.toThrow(new UnauthorizedError('invalid token'));
  });

  it('refuses alg none and a token signed for another algorithm', async () => {
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: '42', exp: inSeconds(60) })).toString('base64url')}.`;
    await expect(verifier.verify(`Bearer ${none}`)).rejects.toThrow(UnauthorizedError);
    const hs512 = jwt.sign({ sub: '42', exp: inSeconds(60) }, SECRET, { algorithm: 'HS512' });
    await expect(verifier.verify(`Bearer ${hs512}`)).rejects.toThrow(UnauthorizedError);
  });

  it('enforces JWT_ISSUER and JWT_AUDIENCE when they are set', async () => {
    const strict = verifierWith({ issuer: 'https://id.example', audience: ['graph', 'graph-admin'] });
    const claims = { sub: '42', exp: inSeconds(60) };
    expect((await strict.verify(sign({ ...claims, iss: 'https://id.example', aud: 'graph' }))).userId).toBe('42');
    expect((await strict.verify(sign({ ...claims, iss: 'https://id.example', aud: ['other', 'graph-admin'] }))).userId).toBe('42');
    await expect(strict.verify(sign({ ...claims, iss: 'https://evil.example', aud: 'graph' }))).rejects.toThrow(new UnauthorizedError('token issuer not accepted'));
    await expect(strict.verify(sign({ ...claims, aud: 'graph' }))).rejects.toThrow(new UnauthorizedError('token issuer not accepted'));
    await expect(strict.verify(sign({ ...claims, iss: 'https://id.example', aud: 'other' }))).rejects.toThrow(new UnauthorizedError('token audience not accepted'));
    await expect(strict.verify(sign({ ...claims, iss: 'https://id.example' }))).rejects.toThrow(new UnauthorizedError('token audience not accepted'));
    // Unset: any issuer and audience pass.
    expect((await verifier.verify(sign({ ...claims, iss: 'anyone', aud: 'anything' }))).userId).toBe('42');
  });

  it('gives exp and nbf the configured clock tolerance, and no more', async () => {
    const lenient = verifierWith({ clockToleranceSeconds: 30 });
    expect((await lenient.verify(sign({ sub: '42', exp: inSeconds(-20) }))).userId).toBe('42');
    expect((await lenient.verify(sign({ sub: '42', exp: inSeconds(60), nbf: inSeconds(20) }))).userId).toBe('42');
    await expect(lenient.verify(sign({ sub: '42', exp: inSeconds(-40) }))).rejects.toThrow(new UnauthorizedError('token expired'));
    await expect(lenient.verify(sign({ sub: '43', exp: inSeconds(60), nbf: inSeconds(40) }))).rejects.toThrow(UnauthorizedError);
    await expect(verifier.verify(sign({ sub: '42', exp: inSeconds(-20) }))).rejects.toThrow(new UnauthorizedError('token expired'));
  });

  it('verifies RS256 with a PEM public key and refuses an HS256 token made with that key (algorithm confusion)', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const rs = verifierWith({ algorithm: 'RS256', publicKey: pem } as Partial<AuthConfig>);
    const token = jwt.sign({ sub: '42', exp: inSeconds(60) }, privateKey, { algorithm: 'RS256' });
    expect((await rs.verify(`Bearer ${token}`)).userId).toBe('42');
    const confused = `Bearer ${jwt.sign({ sub: '42', exp: inSeconds(60) }, SECRET, { algorithm: 'HS256' })}`;
    await expect(rs.verify(confused)).rejects.toThrow(UnauthorizedError);
  });

  describe('with keys from a JWKS URL', () => {
    let server: Server;
    let keys: object[] = [];
    let fetches = 0;
    let url: string;
    const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = async (publicKey: KeyObject, kid: string) => ({ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' });
    const signWith = (privateKey: KeyObject, kid: string, claims: object = {}) =>
      `Bearer ${jwt.sign({ sub: '42', exp: inSeconds(60), ...claims }, privateKey, { algorithm: 'RS256', keyid: kid })}`;
    const jwksVerifier = (cooldownSeconds = 0) =>
      verifierWith({ algorithm: 'RS256', jwks: { url, cacheSeconds: 600, cooldownSeconds } } as Partial<AuthConfig>);

    beforeAll(async () => {
      server = createServer((_req, res) => {
        fetches += 1;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ keys }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('fetches the key set once, keeps it, and follows a key rotation without a restart', async () => {
      const a = pair();
      const b = pair();
      keys = [await jwk(a.publicKey, 'key-a')];
      fetches = 0;
      const verifier = jwksVerifier();
      expect((await verifier.verify(signWith(a.privateKey, 'key-a'))).userId).toBe('42');
      for (let i = 0; i < 5; i++) await verifier.verify(signWith(a.privateKey, 'key-a', { jti: `a${i}` }));
      expect(fetches).toBe(1);

      // The issuer rotates: key b is published, key a withdrawn.
      keys = [await jwk(b.publicKey, 'key-b')];
      expect((await verifier.verify(signWith(b.privateKey, 'key-b'))).userId).toBe('42');
      expect(fetches).toBe(2);
      await expect(verifier.verify(signWith(a.privateKey, 'key-a', { jti: 'after' }))).rejects.toThrow(new UnauthorizedError('token signed by an unknown key'));
      // A token naming key b but signed with key a is a forgery.
      await expect(verifier.verify(signWith(a.privateKey, 'key-b'))).rejects.toThrow(new UnauthorizedError('invalid token'));
      // An HS256 token made with the public JWK as secret is refused (only RS256 is accepted), without a
      // look into the key set: it could never hold a key for it.
      const before = fetches;
      await expect(verifier.verify(sign({ sub: '42', exp: inSeconds(60) }, JSON.stringify(keys[0])))).rejects.toThrow(new UnauthorizedError('invalid token'));
      await expect(verifier.verify(`Bearer ${jwt.sign({ sub: '42', exp: inSeconds(60) }, 'x', { algorithm: 'HS256', keyid: 'key-c' })}`)).rejects.toThrow(new UnauthorizedError('invalid token'));
      expect(fetches).toBe(before);
    });

    it('refetches for an unknown key id at most once per cooldown', async () => {
      const a = pair();
      keys = [await jwk(a.publicKey, 'key-a')];
      fetches = 0;
      const verifier = jwksVerifier(3600);
      await verifier.verify(signWith(a.privateKey, 'key-a'));
      for (let i = 0; i < 5; i++) await expect(verifier.verify(signWith(a.privateKey, `unknown-${i}`))).rejects.toThrow(UnauthorizedError);
      expect(fetches).toBe(1);
    });

    it('answers 503 (not 401) when the key set cannot be fetched and no cached key fits', async () => {
      const a = pair();
      keys = [await jwk(a.publicKey, 'key-a')];
      const verifier = new TokenVerifier({
        auth: { algorithm: 'RS256', jwks: { url: 'http://127.0.0.1:9/jwks.json', cacheSeconds: 600, cooldownSeconds: 0 }, clockToleranceSeconds: 0 },
      } as unknown as AppConfig);
      await expect(verifier.verify(signWith(a.privateKey, 'key-a'))).rejects.toThrow(UnavailableError);
    });
  });
});
