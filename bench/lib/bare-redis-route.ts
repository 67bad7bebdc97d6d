/**
 * The baseline of the cached-page benchmark: a bare NestJS app on the same HTTP adapter whose one
 * route answers with the bytes stored under one Redis key, read with one GET (no auth, no use case).
 * Run as a child process: PORT, REDIS_URL, HTTP_ADAPTER (express | fastify), BARE_KEY.
 */
import 'reflect-metadata';
import { Controller, Get, Header, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createRedisClient } from '../../libs/graph-infrastructure/src/redis/redis-client';

const redis = createRedisClient(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/9', Number(process.env.BENCH_REDIS_COMMAND_TIMEOUT_MS ?? 50));
const key = process.env.BARE_KEY ?? 'bench:bare:page';

@Controller()
class BareController {
  @Get('bare')
  @Header('content-type', 'application/json; charset=utf-8')
  async page(): Promise<string> {
    return (await redis.get(key)) ?? '{}';
  }

  @Get('health/ready')
  ready(): string {
    return 'ok';
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main(): Promise<void> {
  const adapter = process.env.HTTP_ADAPTER === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const app = await NestFactory.create(BareModule, adapter, { logger: false });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
}

void main();
