import 'reflect-metadata';
import { createApp, logStartup, startKafka } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown';

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
  installGracefulShutdown(app, config);
  await app.listen(config.http.port, config.http.host);
  logStartup(config);
  // Kafka connects in the background: HTTP serves from the start, whatever the broker's state.
  startKafka(app);
}

main().catch((error: unknown) => {
  process.stderr.write(`graph-service failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
