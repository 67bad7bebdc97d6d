import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ComponentHealth, DependencyProbes, MetricsRegistry } from '@graph/infrastructure';
import { ServiceLifecycle } from '../../lifecycle/service-lifecycle';
import { KafkaConsumerProgress } from '../../kafka/kafka-consumer-progress';
import { Public } from '../auth/auth.decorators';
import { ApiPublic } from '../common/api-docs.decorators';
import { HEALTH_MODELS, LivenessDto, ReadinessDto } from './health.dto';

/**
 * Only Postgres is needed to serve: without Redis reads and follows go to Postgres, without Kafka
 * events wait in the outbox. So Redis or Kafka down is "degraded" (200, named in the body), and
 * only Postgres down, or a shutdown's drain, takes the instance out of rotation (503).
 */
const REQUIRED: ReadonlySet<string> = new Set(['postgres']);

@ApiTags('operations')
@ApiPublic()
@ApiExtraModels(...HEALTH_MODELS)
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly probes: DependencyProbes,
    private readonly metrics: MetricsRegistry,
    private readonly adapterHost: HttpAdapterHost,
    private readonly lifecycle: ServiceLifecycle,
    private readonly consumer: KafkaConsumerProgress,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('health/live')
  @HttpCode(200)
  @ApiOperation({ operationId: 'checkLiveness', summary: 'Liveness: the process is up', description: 'No dependency is checked; no token needed.' })
  @ApiOkResponse({ type: LivenessDto, description: 'The process is alive' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Each dependency reported. 200 `ok`, or 200 `degraded` naming the optional components that are
   * down; 503 `unavailable` when Postgres is down, 503 `shutting_down` from SIGTERM on. A disabled
   * component (no Kafka configured) or an in-process one (no Redis configured) is never down.
   * `kafka_consumer` says whether the Kafka server is getting anywhere (informational: a stalled
   * consumer does not change the status code).
   */
  @Get('health/ready')
  @ApiOperation({
    operationId: 'checkReadiness',
    summary: 'Readiness: each dependency reported',
    description: 'PostgreSQL is required (503 when down); Redis or Kafka down is "degraded" (200). 503 from SIGTERM on. No token needed.',
  })
  @ApiOkResponse({ type: ReadinessDto, description: 'The service can serve (status ok or degraded)' })
  @ApiServiceUnavailableResponse({ type: ReadinessDto, description: 'PostgreSQL is down (unavailable) or the instance is draining (shutting_down)' })
  async ready(@Res() response: unknown): Promise<void> {
    const reply = (body: object, status: number): void => this.adapterHost.httpAdapter.reply(response, body, status);
    if (this.lifecycle.draining) return reply({ status: 'shutting_down' }, 503);
    const results = await Promise.all(this.probes.all.map(async (p) => [p.name, await p.check()] as const));
    const components: Record<string, ComponentHealth> = Object.fromEntries(results);
    const down = results.filter(([, h]) => h.status === 'down').map(([name]) => name);
    const unavailable = down.some((name) => REQUIRED.has(name));
    const status = unavailable ? 'unavailable' : down.length > 0 ? 'degraded' : 'ok';
    // A SIGTERM that arrived while the probes ran wins: the orchestrator must see 503 from then on.
    if (this.lifecycle.draining) return reply({ status: 'shutting_down' }, 503);
    const body = {
      status,
      ...(down.length ? { down } : {}),
      components,
      ...(components.kafka?.status !== 'disabled' ? { kafka_consumer: this.consumer.health() } : {}),
    };
    reply(body, unavailable ? 503 : 200);
  }

  /** Prometheus exposition. */
  @Get('metrics')
  @ApiOperation({ operationId: 'getMetrics', summary: 'Prometheus metrics', description: 'The text exposition format; no token needed (keep the port off the public network).' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Every metric of this instance', schema: { type: 'string', example: '# HELP graph_http_request_duration_seconds HTTP request latency by method, route and status\n# TYPE graph_http_request_duration_seconds histogram\n' } })
  async prometheus(@Res() response: unknown): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(response, 'Content-Type', contentType);
    adapter.reply(response, body, 200);
  }
}
