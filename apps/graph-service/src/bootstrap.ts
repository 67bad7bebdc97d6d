import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { JsonLogger, MetricsRegistry } from '@graph/infrastructure';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { KafkaServerSupervisor } from './kafka/kafka-server.supervisor';
import { RequestObserver } from './observability/request-observer';
import { FirstPageCache } from './http/first-page/first-page.cache';
import { FirstPageShortcut } from './http/first-page/first-page.shortcut';
import { TokenVerifier } from './http/auth/token-verifier';

export interface CreateAppOptions {
  /** Replace the JSON logger (tests pass a quiet one). */
  logger?: JsonLogger | false;
}

/**
 * Builds the whole service (HTTP on the configured adapter, Swagger UI at /docs, the Kafka
 * microservice when brokers are configured) without listening, so main.ts and the e2e tests
 * start exactly the same application.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  const logger = options.logger === undefined ? new JsonLogger(config.logLevel) : options.logger;
  const adapter = config.http.adapter === 'fastify' ? new FastifyAdapter({ bodyLimit: 1024 * 1024 }) : new ExpressAdapter();
  const app = await NestFactory.create(AppModule.register(config), adapter, {
    logger: logger === false ? false : logger,
    bufferLogs: logger !== false,
    abortOnError: false,
  });
  if (logger) app.useLogger(logger);
  app.enableShutdownHooks();
  new RequestObserver(app.get(MetricsRegistry), config.logLevel === 'debug').mount(app, config.http.adapter);
  new FirstPageShortcut(app.get(FirstPageCache), app.get(TokenVerifier)).mount(app, config.http.adapter);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Graph Service')
      .setDescription(
        'Who follows whom: follows, follow requests, blocks, lists, relationships, exact counters and suggestions. ' +
          'Ids are decimal strings. Use "Authorize" with a bearer JWT (npm run token -- --user 42 [--admin]).',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { swaggerOptions: { persistAuthorization: true } });

  // Hybrid app: the Kafka server (request-reply and user.events) is registered before init and
  // started after it, once the use cases it serves exist.
  const kafka = KafkaServerSupervisor.connect(app, config);
  await app.init();
  if (kafka) await app.get(KafkaServerSupervisor).start(kafka.microservice, kafka.server);
  return app;
}

export function logStartup(config: AppConfig): void {
  const log = new Logger('Bootstrap');
  if (config.auth.algorithm === 'HS256' && config.auth.usingDevelopmentSecret) {
    log.warn('JWT_SECRET is not set: using the development secret (set JWT_SECRET or JWT_PUBLIC_KEY in any real deployment)');
  }
  log.log(`http: ${config.http.adapter} on ${config.http.host}:${config.http.port}; Swagger UI at /docs`);
}
