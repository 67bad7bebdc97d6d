import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { GraphError } from '@graph/domain';
import { AuthenticatedRequest } from '../auth/auth.types';

export interface AdminAuditEntry {
  /** The admin's `sub`. */
  admin: string;
  /** The operation (the handler's name, as in the operationId). */
  operation: string;
  /** What it acted on: the path's ids, or "all". */
  target: string;
  /** "ok", or the error code it failed with. */
  outcome: string;
}

/** Where audit entries go: one JSON log line each (logger context AdminAudit). */
@Injectable()
export class AdminAudit {
  private readonly logger = new Logger('AdminAudit');

  record(entry: AdminAuditEntry): void {
    this.logger.log({ msg: `admin ${entry.operation} ${entry.target}: ${entry.outcome}`, audit: true, ...entry });
  }
}

/**
 * One audit line per admin call that passed the role check, after the handler ends (success or
 * error). Calls refused for their token or role never reach a handler; the request log line of a
 * 401/403 records those.
 */
@Injectable()
export class AdminAuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AdminAudit) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { params?: Record<string, string> }>();
    const params = request.params ?? {};
    const target = Object.keys(params).length > 0 ? Object.entries(params).map(([k, v]) => `${k}=${v}`).join(',') : 'all';
    const base = { admin: request.caller?.userId ?? '?', operation: context.getHandler().name, target };
    return next.handle().pipe(
      tap({
        next: () => this.audit.record({ ...base, outcome: 'ok' }),
        error: (error: unknown) => this.audit.record({ ...base, outcome: error instanceof GraphError ? error.code : 'INTERNAL' }),
      }),
    );
  }
}
