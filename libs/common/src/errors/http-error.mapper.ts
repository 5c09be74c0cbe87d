import { HttpException, type Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RpcReplyError } from '../nats/nats-rpc.client.js';
import { databaseFailure } from './database-errors.js';
import { safeError } from './safe-error.js';
import { AppError, ApiErrorCode, API_ERROR_STATUS, type ErrorBody } from '#contracts';

const STATUS_TO_CODE: Record<number, ApiErrorCode> = {
  400: ApiErrorCode.VALIDATION_FAILED,
  401: ApiErrorCode.UNAUTHORIZED,
  403: ApiErrorCode.FORBIDDEN,
  404: ApiErrorCode.NOT_FOUND,
  405: ApiErrorCode.NOT_FOUND,
  409: ApiErrorCode.CONFLICT,
  413: ApiErrorCode.VALIDATION_FAILED,
  414: ApiErrorCode.VALIDATION_FAILED,
  415: ApiErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ApiErrorCode.RATE_LIMITED,
  503: ApiErrorCode.DEPENDENCY_UNAVAILABLE,
  504: ApiErrorCode.UPSTREAM_TIMEOUT,
};

/** Messages for Fastify's own errors (raised before Nest routing: body parsing, media type). */
const FASTIFY_ERRORS: Record<string, { status: number; error: string; detail: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, error: 'Unsupported media type', detail: 'Send the body as application/json.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'Empty body', detail: 'Content-Type is application/json but the body is empty.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, error: 'Malformed JSON', detail: 'The request body is not valid JSON.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'Body too large', detail: 'The request body exceeds the size limit.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'Bad Content-Length', detail: 'Content-Length does not match the body.' },
  FST_ERR_BAD_URL: { status: 400, error: 'Malformed URL', detail: 'The request path is not a valid URL (bad percent-encoding).' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, error: 'Path too long', detail: 'A path segment is longer than any valid identifier.' },
};

export interface HttpErrorResult {
  status: number;
  body: ErrorBody;
}

/** The one place where anything thrown becomes an HTTP status and the error envelope. */
export function toHttpError(exception: unknown, logger: Logger, req?: { method?: string; url?: string }): HttpErrorResult {
  if (exception instanceof AppError) return { status: exception.status, body: exception.toBody() };
  if (exception instanceof RpcReplyError) {
    const { status, ...body } = exception.payload;
    return { status: API_ERROR_STATUS[body.code] ?? status, body };
  }
  const abort = clientAbort(exception) ?? (exception instanceof HttpException ? clientAbort(exception.cause) : null);
  if (abort) {
    // The client went away mid-request (closed tab, killed curl, proxy timeout): nothing is wrong
    // here and nobody reads the answer, so no error log and no error id.
    logger.log({ req: { method: req?.method, url: req?.url?.split('?')[0] }, reason: abort }, 'client closed the connection before the request was complete');
    return {
      status: 400,
      body: { error: 'Request aborted', detail: 'The client closed the connection before the request was complete.', code: ApiErrorCode.VALIDATION_FAILED },
    };
  }
  // Nest wraps Fastify's own errors (body parsing) in an HttpException with the original as cause.
  const fst = fastifyError(exception) ?? (exception instanceof HttpException ? fastifyError(exception.cause) : null);
  if (fst) return fst;
  const db = databaseFailure(exception);
  if (db) {
    logger.warn({ err: safeError(exception) }, 'database unavailable or too slow');
    return { status: db.status, body: db.toBody() };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = STATUS_TO_CODE[status];
    if (code) {
      if (status === 404) {
        return { status, body: { error: 'Not found', detail: `No route ${req?.method ?? ''} ${req?.url?.split('?')[0] ?? ''}`.trim(), code } };
      }
      return { status: API_ERROR_STATUS[code], body: { error: exception.message, detail: exception.message, code } };
    }
  }
  const errorId = randomUUID();
  logger.error({ err: safeError(exception), error_id: errorId }, 'unhandled error');
  return {
    status: 500,
    body: {
      error: 'Internal server error',
      detail: `An unexpected error occurred; quote error id ${errorId} when reporting it.`,
      code: ApiErrorCode.INTERNAL_ERROR,
      error_id: errorId,
    },
  };
}

/** Node's error for a request whose client closed the connection while its body was being read. */
function clientAbort(exception: unknown): string | null {
  const e = exception as { code?: unknown; message?: unknown };
  if (e?.code === 'ECONNRESET' && e.message === 'aborted') return 'aborted';
  if (e?.code === 'ECONNABORTED' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE') return e.code;
  return null;
}

function fastifyError(exception: unknown): HttpErrorResult | null {
  const e = exception as { code?: unknown; statusCode?: unknown; name?: unknown };
  if (typeof e?.code === 'string' && e.code in FASTIFY_ERRORS) {
    const { status, error, detail } = FASTIFY_ERRORS[e.code];
    return { status, body: { error, detail, code: STATUS_TO_CODE[status] } };
  }
  // Fastify's JSON parser throws a SyntaxError carrying statusCode 400.
  if (e?.name === 'SyntaxError' && e.statusCode === 400) {
    const { status, error, detail } = FASTIFY_ERRORS.FST_ERR_CTP_INVALID_JSON_BODY;
    return { status, body: { error, detail, code: ApiErrorCode.VALIDATION_FAILED } };
  }
  return null;
}
