import { ArgumentsHost, Catch, Logger, RpcExceptionFilter } from '@nestjs/common';
import { Observable, of } from 'rxjs';
import { GraphError } from '@graph/domain';
import { RpcReply } from '@graph/contracts';

/**
 * The second of the two error translators (the HTTP one is http-error.filter.ts): every failure of a
 * graph.rpc.* handler becomes a normal reply `{"error": {"code", "message"}}`, so the caller gets an
 * answer with a stable code instead of a Nest error header or a timeout. A domain error's code is the
 * reply's code (an unreachable database arrives already as UNAVAILABLE from the adapter); anything
 * else is logged and answered INTERNAL without internals.
 */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('RpcErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): Observable<RpcReply<never>> {
    return of(this.translate(exception, host));
  }

  translate(exception: unknown, host?: ArgumentsHost): RpcReply<never> {
    if (exception instanceof GraphError) return { error: { code: exception.code, message: exception.message } };
    const pattern = host?.getType() === 'rpc' ? String(host.switchToRpc().getContext()?.getTopic?.() ?? '') : '';
    this.logger.error(`rpc ${pattern} failed: ${(exception as Error)?.message ?? String(exception)}`, (exception as Error)?.stack);
    return { error: { code: 'INTERNAL', message: 'internal error' } };
  }
}
