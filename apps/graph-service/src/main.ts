import 'reflect-metadata';
import { createApp, logStartup } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  logStartup(config);
  // Nest's shutdown hooks stop accepting, drain in-flight requests, stop workers and close pools;
  // this watchdog ends the process if that takes longer than SHUTDOWN_TIMEOUT_MS.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`graph-service: shutdown took longer than ${config.http.shutdownTimeoutMs} ms; exiting\n`);
        process.exit(1);
      }, config.http.shutdownTimeoutMs).unref();
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`graph-service failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
