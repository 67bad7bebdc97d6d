import type { Server } from 'node:http';
import { INestApplication, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ServiceLifecycle } from './service-lifecycle';

/**
 * SIGTERM (or SIGINT) as an orchestrator expects it:
 * 1. readiness answers 503 at once, so the instance leaves the load balancer's rotation;
 * 2. requests are still served for SHUTDOWN_DRAIN_MS, while routers notice (a second signal ends
 *    this wait early);
 * 3. the listener closes and the requests in flight finish, before Nest's shutdown hooks stop the
 *    workers and close the pools (Nest itself closes the listener last, after the pools);
 * 4. past SHUTDOWN_TIMEOUT_MS from the end of the drain the process exits anyway.
 */
export function installGracefulShutdown(app: INestApplication, config: AppConfig): void {
  const log = new Logger('Shutdown');
  const { drainMs, shutdownTimeoutMs } = config.http;
  let endDrain: (() => void) | null = null;
  let started = false;

  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    const began = Date.now();
    app.get(ServiceLifecycle).beginDrain();
    log.log(`shutdown: ${signal} received; readiness answers 503, requests are served for ${drainMs} ms more`);
    await new Promise<void>((resolve) => {
      endDrain = resolve;
      setTimeout(resolve, drainMs).unref();
    });
    log.log('shutdown: drain over; the listener is closed, requests in flight finish');
    setTimeout(() => {
      process.stderr.write(`graph-service: shutdown took longer than ${shutdownTimeoutMs} ms after the drain; exiting\n`);
      process.exit(1);
    }, shutdownTimeoutMs).unref();
    await closeListener(app.getHttpServer() as Server);
    log.log('shutdown: listener closed; stopping workers and closing connections');
    await app.close();
    log.log(`shutdown: done in ${Date.now() - began} ms`);
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (started) {
        log.warn(`shutdown: ${signal} again; ending the drain now`);
        endDrain?.();
        return;
      }
      started = true;
      shutdown(signal).catch((error: unknown) => {
        process.stderr.write(`graph-service: shutdown failed: ${(error as Error)?.stack ?? String(error)}\n`);
        process.exit(1);
      });
    });
  }
}

/** Stops accepting; resolves once every request in flight has been answered. */
function closeListener(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // close() drops the idle keep-alive sockets once; a busy one turns idle after its response
    // and would then hold close() open until its keep-alive timeout, so they are swept until done.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
  });
}
