import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { throwError, type Observable } from 'rxjs';
import { AppError, ApiErrorCode, type RpcErrorPayload } from '#contracts';
import { databaseFailure } from '../errors/database-errors.js';
import { safeError } from '../errors/safe-error.js';

/** Service edge: typed errors become the RPC error payload; anything else is logged with an id. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('RpcErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const data = host.switchToRpc().getData<{ ctx?: { request_id?: unknown } } | undefined>();
    const requestId = typeof data?.ctx?.request_id === 'string' ? data.ctx.request_id : undefined;
    return throwError(() => toRpcErrorPayload(exception, this.logger, requestId));
  }
}

export function toRpcErrorPayload(exception: unknown, logger: Logger, requestId?: string): RpcErrorPayload {
  if (exception instanceof AppError) return { status: exception.status, ...exception.toBody() };
  const db = databaseFailure(exception);
  if (db) {
    logger.warn({ err: safeError(exception), request_id: requestId }, 'database unavailable or too slow');
    return { status: db.status, ...db.toBody() };
  }
  const errorId = randomUUID();
  logger.error({ err: safeError(exception), error_id: errorId, request_id: requestId }, 'unhandled error in RPC handler');
  return {
    status: 500,
    code: ApiErrorCode.INTERNAL_ERROR,
    error: 'Internal server error',
    detail: `An unexpected error occurred; quote error id ${errorId} when reporting it.`,
    error_id: errorId,
  };
}
