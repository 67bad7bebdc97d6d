/**
 * The limit of the read benchmarks: a bare Node `http` server whose every request is answered with
 * the bytes stored under one Redis key (BARE_KEY followed by the request's path), read with one GET
 * (no framework, no auth, no routing). The service's cached first page, stats and relationship calls
 * are compared with it. Run as a child process: PORT, REDIS_URL, BARE_KEY.
 */
import { createServer } from 'node:http';
import { createRedisClient } from '../../libs/graph-infrastructure/src/redis/redis-client';

const redis = createRedisClient(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/9', Number(process.env.BENCH_REDIS_COMMAND_TIMEOUT_MS ?? 50));
const prefix = process.env.BARE_KEY ?? 'bench:bare:';

const server = createServer((req, res) => {
  redis.getBuffer(prefix + (req.url ?? '/')).then(
    (body) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body?.length ?? 2 });
      res.end(body ?? '{}');
    },
    () => {
      res.writeHead(503);
      res.end();
    },
  );
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.PORT), '127.0.0.1');
