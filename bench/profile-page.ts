/**
 * Not part of the bench: drives one GET path against a running server and reports ops/s and the
 * CPU time the server (SERVER_PID) and Redis (REDIS_PID) spent per request, which contention on a
 * shared machine distorts far less than throughput. URL, PATH_, SECONDS, NOAUTH.
 */
import jwt from 'jsonwebtoken';
import { HttpClient } from './lib/http-client';
import { runLoad } from './lib/load';
import { processCpu } from './lib/process-cpu';
import { BENCH_JWT_SECRET } from './context';

/** CPU milliseconds a process has used so far (0 when no pid is given). */
function cpuMs(pid: string | undefined): number {
  return pid ? processCpu(Number(pid)).total * 1000 : 0;
}

async function main() {
  const client = new HttpClient(process.env.URL!, 40);
  const token = process.env.NOAUTH ? undefined : jwt.sign({ sub: '99999999', roles: ['admin'] }, BENCH_JWT_SECRET, { algorithm: 'HS256', expiresIn: 3600 });
  const path = process.env.PATH_!;
  for (let i = 0; i < 500; i++) await client.ok('GET', path, token);
  const [s0, r0] = [cpuMs(process.env.SERVER_PID), cpuMs(process.env.REDIS_PID)];
  const r = await runLoad({ name: path, concurrency: 32, durationMs: Number(process.env.SECONDS ?? 6) * 1000 }, async () => void (await client.ok('GET', path, token)));
  const [s1, r1] = [cpuMs(process.env.SERVER_PID), cpuMs(process.env.REDIS_PID)];
  const per = (ms: number) => ((ms * 1000) / r.ops).toFixed(0);
  console.log(`${r.name}: ${r.opsPerSec.toFixed(0)} ops/s p50 ${r.latency.p50.toFixed(2)} errors ${r.errors} | server ${per(s1 - s0)} µs/req, redis ${per(r1 - r0)} µs/req`);
  client.close();
}
void main();
