import jwt from 'jsonwebtoken';
import { UnauthorizedError } from '@graph/domain';
import { AppConfig } from '../../config/app-config';
import { TokenVerifier } from './token-verifier';

const SECRET = 'unit-secret-0123456789';

describe('TokenVerifier', () => {
  const verifier = new TokenVerifier({ auth: { algorithm: 'HS256', secret: SECRET, usingDevelopmentSecret: false } } as unknown as AppConfig);
  const sign = (claims: object, secret = SECRET) => `Bearer ${jwt.sign(claims, secret, { algorithm: 'HS256' })}`;
  afterEach(() => jest.useRealTimers());

  it('remembers a verified token but never past its exp', () => {
    jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    const exp = Math.floor(Date.now() / 1000) + 5;
    const token = sign({ sub: '42', roles: ['admin'], exp });
    expect(verifier.verify(token)).toEqual({ userId: '42', roles: ['admin'], isAdmin: true });
    jest.setSystemTime(exp * 1000 - 1);
    expect(verifier.verify(token).userId).toBe('42');
    jest.setSystemTime(exp * 1000);
    expect(() => verifier.verify(token)).toThrow(new UnauthorizedError('token expired'));
  });

  it('remembers only tokens that verified, each by its whole string', () => {
    const good = sign({ sub: '7', exp: Math.floor(Date.now() / 1000) + 60 });
    const forged = sign({ sub: '7', exp: Math.floor(Date.now() / 1000) + 60 }, 'another-secret');
    expect(verifier.verify(good).userId).toBe('7');
    expect(() => verifier.verify(forged)).toThrow(UnauthorizedError);
    expect(() => verifier.verify(forged)).toThrow(UnauthorizedError);
    expect(() => verifier.verify(good.slice(0, -2))).toThrow(UnauthorizedError);
    expect(() => verifier.verify(undefined)).toThrow(UnauthorizedError);
    expect(() => verifier.verify(sign({ sub: 'x' }))).toThrow(new UnauthorizedError('token subject is not a user id'));
  });
});
