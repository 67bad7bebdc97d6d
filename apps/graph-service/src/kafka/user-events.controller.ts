import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EraseUserUseCase, UpdateSettingsUseCase } from '@graph/application';
import { GraphError, parseUserId } from '@graph/domain';
import { USER_EVENTS_TOPIC } from '@graph/contracts';
import { payloadObject, requiredBoolean } from './rpc-payload';

/**
 * Consumes user.events from the account owner service: a privacy change takes effect as through
 * PUT /settings, a deletion erases the user from the graph (edges both ways, counters, unfollow
 * events with reason "erased"). Both use cases are idempotent, so a redelivered event changes and
 * emits nothing. A malformed or unknown event is logged and skipped (never a crash loop); only UNAVAILABLE
 * (the database down or busy) is rethrown, so Kafka redelivers the event once Postgres is back.
 */
@Controller()
export class UserEventsController {
  private readonly logger = new Logger('UserEvents');

  constructor(
    private readonly settings: UpdateSettingsUseCase,
    private readonly erase: EraseUserUseCase,
  ) {}

  @EventPattern(USER_EVENTS_TOPIC)
  async onUserEvent(@Payload() payload: unknown): Promise<void> {
    try {
      const p = payloadObject(payload);
      switch (p.event_type) {
        case 'user.privacy_changed': {
          const userId = parseUserId(p.user_id, 'user_id');
          const isPrivate = requiredBoolean(p.is_private, 'is_private');
          const outcome = await this.settings.execute({ userId, isPrivate });
          if (outcome.changed) this.logger.log(`user ${userId} is now ${isPrivate ? 'private' : 'public'} (user.events)`);
          return;
        }
        case 'user.deleted': {
          const userId = parseUserId(p.user_id, 'user_id');
          const outcome = await this.erase.execute({ userId });
          if (outcome.removedEdges > 0) this.logger.log(`user ${userId} erased: ${outcome.removedEdges} edges (user.events)`);
          return;
        }
        default:
          // Other event types on the topic are not the graph's business.
          return;
      }
    } catch (error) {
      // The adapters say "retry later" with UNAVAILABLE (database down, lost race, timeout): Kafka redelivers.
      if (error instanceof GraphError && error.code === 'UNAVAILABLE') throw error;
      const reason = error instanceof GraphError ? `${error.code}: ${error.message}` : (error as Error)?.message;
      this.logger.warn(`skipping a user.events message that cannot be applied (${reason}): ${preview(payload)}`);
    }
  }
}

function preview(payload: unknown): string {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return (text ?? String(payload)).slice(0, 200);
}
