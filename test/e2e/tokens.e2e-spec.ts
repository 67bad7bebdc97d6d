import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { INestApplication } from '@nestjs/common';
import { exportJWK } from 'jose';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { TEST_JWT_SECRET, startTestApp, tokenFor } from '../support/test-app';

const STATS = '/api/v1/graph/stats/1';

describe('tokens through the whole app', () => {
  it('takes what `npm run token` prints in a shell with the same JWT_SECRET, JWT_ISSUER and JWT_AUDIENCE', async () => {
    const claims = { JWT_ISSUER: 'https://id.example', JWT_AUDIENCE: 'graph' };
    const app = await startTestApp(claims);
    try {
      const printed = execFileSync('node', ['scripts/token.cjs', '--user', '42'], { env: { ...process.env, JWT_SECRET: TEST_JWT_SECRET, ...claims } })
        .toString()
        .trim();
      await request(app.getHttpServer()).get(STATS).set('Authorization', `Bearer ${printed}`).expect(200);
      // Signed right but for no issuer and audience: refused.
      const res = await request(app.getHttpServer()).get(STATS).set('Authorization', `Bearer ${tokenFor(42)}`).expect(401);
      expect(res.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: 'token issuer not accepted' });
    } finally {
      await app.close();
    }
  });

  describe('with RS256 keys from a JWKS URL', () => {
    let server: Server;
    let app: INestApplication;
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    let fetches = 0;

    beforeAll(async () => {
      const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
      server = createServer((_req, res) => {
        fetches += 1;
        res.setHeader('Content-Type', 'application/json');
        res.end(jwks);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      app = await startTestApp({
        JWT_JWKS_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
        CURSOR_SECRET: 'cursor-secret-for-the-jwks-test',
      });
    });
    afterAll(async () => {
      await app.close();
      await new Promise((resolve) => server.close(resolve));
    });

    it('verifies tokens of the published key, and no HS256 token any more', async () => {
      for (let i = 0; i < 3; i++) {
        const token = jwt.sign({ sub: '42', jti: `t${i}` }, privateKey, { algorithm: 'RS256', keyid: 'k1', expiresIn: 60 });
        await request(app.getHttpServer()).get(STATS).set('Authorization', `Bearer ${token}`).expect(200);
      }
      expect(fetches).toBe(1);
      await request(app.getHttpServer()).get(STATS).set('Authorization', `Bearer ${tokenFor(42)}`).expect(401);
      const noExp = jwt.sign({ sub: '42' }, privateKey, { algorithm: 'RS256', keyid: 'k1' });
      await request(app.getHttpServer()).get(STATS).set('Authorization', `Bearer ${noExp}`).expect(401);
    });
  });
});
