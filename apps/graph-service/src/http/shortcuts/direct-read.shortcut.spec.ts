import { IncomingMessage } from 'node:http';
import { Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { GetRelationshipsUseCase, GetStatsUseCase } from '@graph/application';
import { UnavailableError, UnauthorizedError } from '@graph/domain';
import { TokenVerifier } from '../auth/token-verifier';
import { HttpErrorFilter } from '../errors/http-error.filter';
import { ShortcutAnswer } from './ahead-of-router';
import { DirectReadShortcut } from './direct-read.shortcut';

const STATS = { userId: '42', followerCount: 3, followingCount: 2, pendingRequestsCount: null };

describe('DirectReadShortcut', () => {
  const forViewer = jest.fn();
  const execute = jest.fn();
  const verify = jest.fn();
  const shortcut = new DirectReadShortcut(
    { forViewer } as unknown as GetStatsUseCase,
    { execute } as unknown as GetRelationshipsUseCase,
    { verify } as unknown as TokenVerifier,
    new HttpErrorFilter({} as HttpAdapterHost),
  );

  beforeEach(() => {
    jest.resetAllMocks();
    verify.mockImplementation(async (header?: string) => {
      if (header !== 'Bearer good') throw new UnauthorizedError('invalid token');
      return { userId: '7', roles: [] };
    });
    forViewer.mockResolvedValue(STATS);
    execute.mockResolvedValue([{ userId: '42', following: true, followedBy: false, blocking: false, blockedBy: false, muting: false, requested: false }]);
  });

  async function ask(url: string, headers: Record<string, string> = { authorization: 'Bearer good' }, method = 'GET') {
    const req = { url, method, headers: { 'x-request-id': 'req-1', ...headers } } as unknown as IncomingMessage;
    const answers: ShortcutAnswer[] = [];
    let passedOn = false;
    await shortcut.serve(req, (a) => answers.push(a), () => (passedOn = true));
    return { answers, passedOn };
  }

  it('answers stats through the use case, as the route renders them, for the caller', async () => {
    const { answers, passedOn } = await ask('/api/v1/graph/stats/42');
    expect(passedOn).toBe(false);
    expect(forViewer).toHaveBeenCalledWith({ viewerId: '7', userId: '42' });
    expect(answers).toHaveLength(1);
    expect(answers[0]!.status).toBe(200);
    expect(JSON.parse(answers[0]!.body)).toEqual({ user_id: '42', follower_count: 3, following_count: 2, pending_requests_count: null });
  });

  it('answers a relationship through the use case', async () => {
    const { answers, passedOn } = await ask('/api/v1/graph/relationship/42');
    expect(passedOn).toBe(false);
    expect(execute).toHaveBeenCalledWith({ viewerId: '7', userIds: ['42'] });
    expect(answers[0]!.status).toBe(200);
    expect(JSON.parse(answers[0]!.body)).toEqual(expect.objectContaining({ user_id: '42', following: true, followed_by: false }));
  });

  it('leaves to the route what it is not sure of, without reading anything', async () => {
    const cases: [string, Record<string, string>?, string?][] = [
      ['/api/v1/graph/stats/42?x=1'],
      ['/api/v1/graph/stats/abc'],
      ['/api/v1/graph/stats/42/more'],
      ['/api/v1/graph/stats/%34%32'],
      ['/api/v1/graph/stats/42', {}],
      ['/api/v1/graph/stats/42', { authorization: 'Bearer bad' }],
      ['/api/v1/graph/stats/42', { authorization: 'Bearer good', 'if-none-match': 'W/"x"' }],
      ['/api/v1/graph/stats/42', undefined, 'POST'],
      ['/api/v1/graph/relationships?ids=1,2'],
      ['/api/v1/graph/followers/42'],
    ];
    for (const [url, headers, method] of cases) {
      const { answers, passedOn } = await ask(url, headers, method);
      expect({ url, headers, method, answers, passedOn }).toEqual({ url, headers, method, answers: [], passedOn: true });
    }
    expect(forViewer).not.toHaveBeenCalled();
    expect(execute).not.toHaveBeenCalled();
  });

  it('answers a failed read as the error filter does, once, with no second read by the route', async () => {
    forViewer.mockRejectedValue(new UnavailableError('the database is unavailable'));
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { answers, passedOn } = await ask('/api/v1/graph/stats/42');
    // The filter's 5xx log line, with the request's id.
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]![0]).toEqual(expect.objectContaining({ status: 503, request_id: 'req-1' }));
    logged.mockRestore();
    expect(passedOn).toBe(false);
    expect(forViewer).toHaveBeenCalledTimes(1);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.status).toBe(503);
    expect(answers[0]!.headers).toEqual({ 'Retry-After': '1' });
    expect(JSON.parse(answers[0]!.body)).toEqual({ error: { code: 'UNAVAILABLE', message: 'the database is unavailable', request_id: 'req-1' } });
  });
});
