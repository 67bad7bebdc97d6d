import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiExcludeEndpoint, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ComponentHealth, DependencyProbes, MetricsRegistry } from '@graph/infrastructure';
import { KafkaConsumerProgress } from '../../kafka/kafka-consumer-progress';
import { Public } from '../auth/auth.decorators';

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly probes: DependencyProbes,
    private readonly metrics: MetricsRegistry,
    private readonly adapterHost: HttpAdapterHost,
    private readonly consumer: KafkaConsumerProgress,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('health/live')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The process is alive' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Each dependency reported; 503 when one that is configured is down. A disabled component (no
   * Kafka configured) or an in-process one (no Redis configured) never makes the service unready.
   * `kafka_consumer` says whether the Kafka server is getting anywhere (informational: a stalled
   * consumer does not change the status code).
   */
  @Get('health/ready')
  @ApiOkResponse({ description: 'Every configured dependency answers' })
  async ready(@Res() response: unknown): Promise<void> {
    const results = await Promise.all(this.probes.all.map(async (p) => [p.name, await p.check()] as const));
    const components: Record<string, ComponentHealth> = Object.fromEntries(results);
    const down = results.filter(([, h]) => h.status === 'down').map(([name]) => name);
    const body = {
      status: down.length === 0 ? 'ok' : 'unavailable',
      ...(down.length ? { down } : {}),
      components,
      ...(components.kafka?.status !== 'disabled' ? { kafka_consumer: this.consumer.health() } : {}),
    };
    this.adapterHost.httpAdapter.reply(response, body, down.length === 0 ? 200 : 503);
  }

  /** Prometheus exposition. */
  @Get('metrics')
  @ApiExcludeEndpoint()
  async prometheus(@Res() response: unknown): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(response, 'Content-Type', contentType);
    adapter.reply(response, body, 200);
  }
}
