import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import type { CounterDrift, CounterFigures, CounterRepair, FailingEvent, ImportOutcome, OutboxBacklog } from '@graph/domain';
import type { CounterDriftPage, JobView } from '@graph/application';

// ---- consistency --------------------------------------------------------------------------------

export class DriftQueryDto {
  @ApiPropertyOptional({ description: 'Continue after this user id (`next_after` of the previous page)', example: '1000' })
  @IsOptional()
  after?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'Drifted users per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

class CounterFiguresDto {
  @ApiProperty({ example: 12 }) followers!: number;
  @ApiProperty({ example: 3 }) following!: number;
  @ApiProperty({ example: 0 }) pending!: number;

  static of(f: CounterFigures): CounterFiguresDto {
    return { followers: f.followers, following: f.following, pending: f.pending };
  }
}

class CounterDriftDto {
  @ApiProperty({ example: '42' }) user_id!: string;
  @ApiProperty({ type: CounterFiguresDto, description: 'What user_graph_stats holds' }) stored!: CounterFiguresDto;
  @ApiProperty({ type: CounterFiguresDto, description: 'COUNT(*) of the edges' }) actual!: CounterFiguresDto;

  static of(d: CounterDrift): CounterDriftDto {
    return { user_id: d.userId, stored: CounterFiguresDto.of(d.stored), actual: CounterFiguresDto.of(d.actual) };
  }
}

export class DriftPageDto {
  @ApiProperty({ type: [CounterDriftDto] }) drifted!: CounterDriftDto[];
  @ApiProperty({ example: 5000, description: 'Users checked for this page' }) checked!: number;
  @ApiProperty({ type: String, nullable: true, example: '1042', description: 'Pass as `after` for the next page; null when every user was checked' })
  next_after!: string | null;

  static of(p: CounterDriftPage): DriftPageDto {
    return { drifted: p.drifted.map(CounterDriftDto.of), checked: p.checked, next_after: p.nextAfter };
  }
}

export class CounterRepairDto {
  @ApiProperty({ example: '42' }) user_id!: string;
  @ApiProperty({ type: CounterFiguresDto }) before!: CounterFiguresDto;
  @ApiProperty({ type: CounterFiguresDto }) after!: CounterFiguresDto;
  @ApiProperty({ description: 'False when the counters were already exact' }) changed!: boolean;

  static of(r: CounterRepair): CounterRepairDto {
    return { user_id: r.userId, before: CounterFiguresDto.of(r.before), after: CounterFiguresDto.of(r.after), changed: r.changed };
  }
}

class JobErrorDto {
  @ApiProperty({ example: 'INVALID_EDGE_LIST' }) code!: string;
  @ApiProperty({ example: 'line 3: "1 x" is not "follower following" (two user ids); nothing was imported' }) message!: string;
  @ApiPropertyOptional({ example: { line: 3 } }) details?: Record<string, unknown>;
}

export class JobBaseDto {
  @ApiProperty({ format: 'uuid' }) job_id!: string;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed'] }) state!: string;
  @ApiProperty({ format: 'date-time' }) started_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finished_at!: string | null;
  @ApiProperty({ type: JobErrorDto, nullable: true }) error!: JobErrorDto | null;
}

export class RepairProgressDto {
  @ApiProperty({ example: 100000, description: 'Users checked so far' }) checked!: number;
  @ApiProperty({ example: 3, description: 'Users found drifted' }) drifted!: number;
  @ApiProperty({ example: 3, description: 'Users repaired' }) repaired!: number;
  @ApiProperty({ type: String, nullable: true, description: 'The last user id checked (the walk is in id order)' }) last_user_id!: string | null;
}

export class RepairJobDto extends JobBaseDto {
  @ApiProperty({ type: RepairProgressDto }) progress!: RepairProgressDto;
}

// ---- cache --------------------------------------------------------------------------------------

export class WarmCacheBodyDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1000, example: 100, description: 'How many of the most-followed users' })
  @IsInt()
  @Min(1)
  @Max(1000)
  count!: number;
}

export class WarmCacheDto {
  @ApiProperty({ type: [String], example: ['7', '42'], description: 'Most-followed first' }) warmed_user_ids!: string[];
  @ApiProperty({ example: 2, description: 'Rendered first followers pages stored (public accounts whose page was not already stored)' })
  rendered_pages!: number;
}

export class DoneDto {
  @ApiProperty({ example: true }) success!: true;
}

class HitRateDto {
  @ApiProperty({ example: 'followers', description: 'Key family' }) family!: string;
  @ApiProperty({ example: 9800 }) hits!: number;
  @ApiProperty({ example: 200 }) misses!: number;
  @ApiProperty({ example: 0, description: 'Reads served from Postgres because the cache was unavailable' }) bypassed!: number;
  @ApiProperty({ type: Number, nullable: true, example: 0.98, description: 'hits / (hits + misses); null before the first read' }) hit_rate!: number | null;
}

export class HitRatesDto {
  @ApiProperty({ type: [HitRateDto] }) families!: HitRateDto[];
}

// ---- events -------------------------------------------------------------------------------------

export class OutboxQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 50, description: 'Failing events listed at most' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  failing_limit?: number;
}

class FailingEventDto {
  @ApiProperty({ format: 'uuid' }) event_id!: string;
  @ApiProperty({ example: 'graph.follow' }) topic!: string;
  @ApiProperty({ example: '42', description: 'Message key (the follower id)' }) key!: string;
  @ApiProperty({ example: 3 }) attempts!: number;
  @ApiProperty({ example: 'KafkaJSNumberOfRetriesExceeded: Connection timeout' }) last_error!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static of(e: FailingEvent): FailingEventDto {
    return { event_id: e.eventId, topic: e.topic, key: e.key, attempts: e.attempts, last_error: e.lastError, created_at: e.createdAt.toISOString() };
  }
}

export class OutboxDto {
  @ApiProperty({ example: 0, description: 'Events committed, not yet acknowledged by Kafka' }) pending!: number;
  @ApiProperty({ type: Number, nullable: true, example: null, description: 'Age of the oldest pending event, seconds' }) oldest_pending_age_seconds!: number | null;
  @ApiProperty({ example: 0, description: 'Pending events whose last publish failed' }) failing!: number;
  @ApiProperty({ type: String, nullable: true }) last_error!: string | null;
  @ApiProperty({ description: 'A relay runs in this instance (false without Kafka)' }) relay_running!: boolean;
  @ApiProperty({ example: 1200, description: 'Events this instance published since it started' }) published!: number;
  @ApiProperty({ example: 0 }) publish_errors!: number;
  @ApiProperty({ type: [FailingEventDto], description: 'Failing events, oldest first' }) failing_events!: FailingEventDto[];

  static of(b: OutboxBacklog & { failingEvents: FailingEvent[] }): OutboxDto {
    return {
      pending: b.pending,
      oldest_pending_age_seconds: b.oldestPendingAgeSeconds,
      failing: b.failing,
      last_error: b.lastError,
      relay_running: b.relayRunning,
      published: b.published,
      publish_errors: b.publishErrors,
      failing_events: b.failingEvents.map(FailingEventDto.of),
    };
  }
}

export class RetryEventParamDto {
  @IsUUID()
  eventId!: string;
}

export class RetriedDto {
  @ApiProperty({ example: 3, description: 'Failing events sent for a retry now' }) retried!: number;
}

export class ReplayBodyDto {
  @ApiProperty({ format: 'date-time', example: '2026-11-30T00:00:00Z', description: 'Replay edges made at or after this time' })
  @IsISO8601({ strict: true })
  since!: string;
}

export class ReplayDto {
  @ApiProperty({ example: 12, description: 'graph.follow events written (metadata.replayed: true)' }) events!: number;
}

// ---- users --------------------------------------------------------------------------------------

export class PrivacyBodyDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  is_private!: boolean;
}

export class PrivacyDto {
  @ApiProperty({ example: '42' }) user_id!: string;
  @ApiProperty({ example: true }) is_private!: boolean;
  @ApiProperty({ description: 'False when the account already had this setting' }) changed!: boolean;
}

export class EraseDto {
  @ApiProperty({ example: '42' }) user_id!: string;
  @ApiProperty({ example: 17, description: 'Edges and requests removed, both ways (each visible one with its unfollow event, reason erased)' })
  removed_edges!: number;
}

// ---- import -------------------------------------------------------------------------------------

export class ImportQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'Emit a graph.follow event per loaded edge' })
  @IsOptional()
  events?: 'true' | 'false';
}

export class ImportProgressDto {
  @ApiProperty({ enum: ['reading', 'merging', 'done'] }) phase!: string;
  @ApiProperty({ example: 1048576, description: 'Bytes of the upload read (compressed bytes for gzip)' }) bytes_read!: number;
  @ApiProperty({ type: Number, nullable: true }) total_bytes!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.5, description: 'bytes_read / total_bytes' }) fraction!: number | null;
  @ApiProperty({ example: 50000 }) lines!: number;
  @ApiProperty({ example: 49990 }) edges!: number;
  @ApiProperty({ example: 120000 }) edges_per_second!: number;
}

export class ImportOutcomeDto {
  @ApiProperty({ example: 103689 }) lines!: number;
  @ApiProperty({ example: 103689, description: 'New accepted follows' }) loaded!: number;
  @ApiProperty({ example: 0, description: 'Already in the graph or earlier in the list' }) duplicates!: number;
  @ApiProperty({ example: 0 }) self_loops!: number;
  @ApiProperty({ example: 0, description: 'Skipped: a block exists between the two users' }) blocked!: number;
  @ApiProperty({ example: 7115 }) affected_users!: number;
  @ApiProperty({ example: 0 }) events!: number;
  @ApiProperty({ example: 1800 }) elapsed_ms!: number;

  static of(o: ImportOutcome): ImportOutcomeDto {
    return {
      lines: o.lines,
      loaded: o.loaded,
      duplicates: o.duplicates,
      self_loops: o.selfLoops,
      blocked: o.blocked,
      affected_users: o.affectedUsers,
      events: o.events,
      elapsed_ms: o.elapsedMs,
    };
  }
}

export class ImportJobDto extends JobBaseDto {
  @ApiProperty({ type: ImportProgressDto }) progress!: ImportProgressDto;
  @ApiProperty({ type: ImportOutcomeDto, nullable: true, description: 'Set once the import succeeded' }) outcome!: ImportOutcomeDto | null;
}

/** The wire form of a job (snake_case, as every body of the service). */
export function jobBody<P>(job: JobView): JobBaseDto & { progress: P } {
  return {
    job_id: job.id,
    state: job.state,
    started_at: job.startedAt.toISOString(),
    finished_at: job.finishedAt?.toISOString() ?? null,
    error: job.error,
    progress: snake(job.progress) as P,
  };
}

function snake(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}
