import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/app-config';
import { openApiDocument } from '../http/common/openapi-document';

/** Where the committed document lives; the openapi e2e test compares the running app's with it. */
export const OPENAPI_FILE = resolve(__dirname, '../../../../docs/openapi.json');

/** The document's bytes as committed: two-space JSON and a final newline. */
export function openApiJson(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * `npm run openapi`: writes docs/openapi.json from the app's controllers. Nest's preview mode
 * builds the module graph without instantiating any provider, so no PostgreSQL, Redis or Kafka is
 * needed (or contacted) and no environment either.
 */
async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule.register(loadConfig({})), new ExpressAdapter(), { preview: true, logger: false, abortOnError: false });
  try {
    writeFileSync(OPENAPI_FILE, openApiJson(openApiDocument(app)));
  } finally {
    await app.close();
  }
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`openapi failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
