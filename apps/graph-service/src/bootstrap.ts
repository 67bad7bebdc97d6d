import { INestApplication, Logger } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { GetRelationshipsUseCase, GetStatsUseCase } from '@graph/application';
import { JsonLogger, MetricsRegistry } from '@graph/infrastructure';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { KafkaServerSupervisor } from './kafka/kafka-server.supervisor';
import { RequestObserver } from './observability/request-observer';
import { FirstPageCache } from './http/first-page/first-page.cache';
import { FirstPageShortcut } from './http/first-page/first-page.shortcut';
import { DirectReadShortcut } from './http/shortcuts/direct-read.shortcut';
import { HttpErrorFilter } from './http/errors/http-error.filter';
import { TokenVerifier } from './http/auth/token-verifier';
import { HttpEdge } from './http/edge/http-edge';
import { openApiDocument } from './http/common/openapi-document';
import { EDGE_LIST_UPLOAD } from './http/admin/imports-admin.controller';
import { OWN_GRAPH_CSV_UPLOAD } from './http/graph/graph-import.controller';

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
  const edge = new HttpEdge([EDGE_LIST_UPLOAD, OWN_GRAPH_CSV_UPLOAD]);
  const adapter = config.http.adapter === 'fastify' ? new FastifyAdapter(edge.fastifyOptions()) : new ExpressAdapter();
  const app = await NestFactory.create(AppModule.register(config), adapter, {
    logger: logger === false ? false : logger,
    bodyParser: false, // HttpEdge parses bodies, the same way on both adapters

    bufferLogs: logger !== false,
    abortOnError: false,
  });
  if (logger) app.useLogger(logger);
  // No enableShutdownHooks(): main.ts handles SIGTERM itself (drain first, see graceful-shutdown.ts).
  const observer = new RequestObserver(app.get(MetricsRegistry), config.logLevel === 'debug');
  observer.mount(app, config.http.adapter);
  edge.mount(app, config.http.adapter, (req, res, next) => observer.observe(req, res, next));
  new FirstPageShortcut(app.get(FirstPageCache), app.get(TokenVerifier)).mount(app, config.http.adapter);
  new DirectReadShortcut(app.get(GetStatsUseCase), app.get(GetRelationshipsUseCase), app.get(TokenVerifier), new HttpErrorFilter(app.get(HttpAdapterHost))).mount(
    app,
    config.http.adapter,
  );

  const document = openApiDocument(app);
  SwaggerModule.setup('docs', app, document, { swaggerOptions: { persistAuthorization: true } });

  // Hybrid app: the Kafka server (request-reply and user.events) is registered before init and
  // started by startKafka, once the use cases it serves exist.
  const kafka = KafkaServerSupervisor.connect(app, config);
  await app.init();
  if (kafka) app.get(KafkaServerSupervisor).attach(kafka.microservice, kafka.server);
  return app;
}

/**
 * Starts the Kafka server of the hybrid app. Resolves after the first attempt, started or not: a
 * broker that is down is retried in the background, with backoff. main.ts calls it after listen()
 * without waiting, so HTTP never waits for Kafka; tests await it to have the consumers running.
 */
export function startKafka(app: INestApplication): Promise<void> {
  return app.get(KafkaServerSupervisor).start();
}

export function logStartup(config: AppConfig): void {
  const log = new Logger('Bootstrap');
  if (config.auth.algorithm === 'HS256' && config.auth.usingDevelopmentSecret) {
    log.warn('JWT_SECRET is not set: using the development secret (set JWT_SECRET or JWT_PUBLIC_KEY in any real deployment)');
  }
  log.log(`http: ${config.http.adapter} on ${config.http.host}:${config.http.port}; Swagger UI at /docs`);
}
