import { firstPageAsked } from './first-page.shortcut';

describe('firstPageAsked', () => {
  it('recognises first pages of followers and following lists, with the default or an explicit limit', () => {
    expect(firstPageAsked('/api/v1/graph/followers/42')).toEqual({ list: { kind: 'followers', userId: '42' }, limit: 20 });
    expect(firstPageAsked('/api/v1/graph/following/42?limit=100')).toEqual({ list: { kind: 'following', userId: '42' }, limit: 100 });
    expect(firstPageAsked('/api/v1/graph/followers/0042?limit=5')).toEqual({ list: { kind: 'followers', userId: '42' }, limit: 5 });
  });

  it('leaves everything else to the route', () => {
    for (const url of [
      '/api/v1/graph/followers/42?cursor=abc',
      '/api/v1/graph/followers/42?limit=20&cursor=',
      '/api/v1/graph/followers/42?limit=0',
      '/api/v1/graph/followers/42?limit=101',
      '/api/v1/graph/followers/42?limit=020',
      '/api/v1/graph/followers/42?',
      '/api/v1/graph/followers/42/x',
      '/api/v1/graph/followers/abc',
      '/api/v1/graph/followers/',
      '/api/v1/graph/followers/99999999999999999999999',
      '/api/v1/graph/mutuals/42',
      '/api/v1/graph/followers',
    ]) {
      expect([url, firstPageAsked(url)]).toEqual([url, null]);
    }
  });
});
