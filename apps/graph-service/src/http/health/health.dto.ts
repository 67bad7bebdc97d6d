import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** The bodies of /health/live and /health/ready, for the Swagger document. */
export class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}

@ApiSchema({ name: 'ComponentHealth' })
class ComponentHealthDto {
  @ApiProperty({ enum: ['up', 'down', 'disabled'] }) status!: string;
  @ApiProperty({ example: 'external', description: 'external, embedded, memory or disabled' }) mode!: string;
  @ApiPropertyOptional({ example: 'connect ECONNREFUSED 127.0.0.1:6379' }) detail?: string;
}

class KafkaConsumerHealthDto {
  @ApiProperty({ enum: ['ok', 'stalled'] }) status!: string;
  @ApiProperty({ example: 0, description: 'Seconds the consumer has made no progress while messages waited' }) stalled_seconds!: number;
}

export class ReadinessDto {
  @ApiProperty({
    enum: ['ok', 'degraded', 'unavailable', 'shutting_down'],
    description: 'ok/degraded: 200, serving (degraded names the optional components down); unavailable (PostgreSQL down) and shutting_down (SIGTERM received): 503',
  })
  status!: string;

  @ApiPropertyOptional({ type: [String], example: ['redis'], description: 'Components that are down' }) down?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ComponentHealth' },
    description: 'Each dependency by name (postgres, redis, kafka); absent when shutting down',
  })
  components?: Record<string, ComponentHealthDto>;

  @ApiPropertyOptional({ type: KafkaConsumerHealthDto, description: 'Whether the Kafka server gets anywhere (informational); absent without Kafka' })
  kafka_consumer?: KafkaConsumerHealthDto;
}

/** Registers ComponentHealth in the document (it is referenced, not typed, by ReadinessDto). */
export const HEALTH_MODELS = [ComponentHealthDto];
