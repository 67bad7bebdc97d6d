import { AddressInfo } from 'node:net';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { GRAPH_LIMITS, UserId } from '@graph/domain';
import { seedGraphSql } from '../support/graph-sql-seed';
import { bearer, freshUserId, startTestApp } from '../support/test-app';

const G = '/api/v1/graph';
const lines = (text: string) => text.split('\r\n').slice(0, -1);

/** GET /export/*.csv (docs/api.md "Export"): Mastodon's layouts, streamed, on both HTTP adapters. */
describe.each(['express', 'fastify'])('CSV export on %s', (adapter) => {
  let app: INestApplication;
  let base: string;
  const [me, bob, carol, dave, erin, stranger] = Array.from({ length: 6 }, () => freshUserId());
  const fans = Array.from({ length: GRAPH_LIMITS.idsPageMax + 2 }, () => freshUserId() as UserId);
  const http = () => request(base);
  const csv = async (file: string, who = me) => {
    const res = await http().get(`${G}/export/${file}`).set(bearer(who)).buffer(true).parse((r, done) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (text += c));
      r.on('end', () => done(null, text));
    }).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${file}"`);
    return res.body as string;
  };

  beforeAll(async () => {
    app = await startTestApp({ HTTP_ADAPTER: adapter });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    await http().post(`${G}/follow/${bob}`).set(bearer(me)).send({ notify: true, reposts: false, languages: ['fr', 'en'] }).expect(200);
    await http().post(`${G}/follow/${carol}`).set(bearer(me)).expect(200);
    await http().put(`${G}/settings`).set(bearer(erin)).send({ is_private: true }).expect(200);
    await http().post(`${G}/follow/${erin}`).set(bearer(me)).expect(200); // a request: not exported
    await http().post(`${G}/block/${dave}`).set(bearer(me)).expect(200);
    await http().post(`${G}/mutes/${carol}`).set(bearer(me)).send({ notifications: false }).expect(200);
    await http().post(`${G}/mutes/${bob}`).set(bearer(me)).expect(200);
    // More followers than one keyset page, straight into Postgres.
    await seedGraphSql(app.get(DataSource), { edges: fans.map((f) => ({ follower: f, following: me as UserId, status: 'accepted' as const })) });
  });
  afterAll(() => app?.close());

  it('following.csv: Mastodon\'s header, accepted follows newest first with their options', async () => {
    expect(lines(await csv('following.csv'))).toEqual([
      'Account address,Show boosts,Notify on new posts,Languages',
      `${carol},true,false,`,
      `${bob},false,true,"en, fr"`,
    ]);
  });

  it('blocks.csv and mutes.csv in Mastodon\'s layouts; followers.csv streams every follower across pages', async () => {
    expect(lines(await csv('blocks.csv'))).toEqual([dave]);
    expect(lines(await csv('mutes.csv'))).toEqual(['Account address,Hide notifications', `${bob},true`, `${carol},false`]);
    const followers = lines(await csv('followers.csv'));
    expect(followers).toHaveLength(fans.length);
    expect(new Set(followers)).toEqual(new Set(fans));
    expect(await csv('followers.csv', stranger)).toBe('');
  });

  it('needs a token', async () => {
    expect((await http().get(`${G}/export/following.csv`).expect(401)).body.error.code).toBe('UNAUTHORIZED');
  });
});
