import { CommonError, CommonErrorCode } from '#contracts';

/** SQLSTATE query_canceled: statement_timeout fired (or the statement was cancelled by an operator). */
export const PG_QUERY_CANCELED = '57014';

/** SQLSTATEs and socket errors meaning "the database cannot be reached or is refusing work now". */
const UNAVAILABLE_CODES = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006', // connection_exception family
  '57P01',
  '57P02',
  '57P03', // admin/crash shutdown, cannot connect now
  '53300', // too_many_connections
  '55P03', // lock_not_available (lock_timeout)
  '25P03', // idle_in_transaction_session_timeout
  // Not ECONNRESET/EPIPE: a client that went away raises those too (node-postgres reports a reset
  // database connection as "Connection terminated unexpectedly", below).
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** node-postgres and pg-pool raise these without a code. */
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect', // no free pool slot within connectionTimeoutMillis
  'Connection terminated due to connection timeout',
  'Connection terminated unexpectedly',
  'Connection terminated',
  'timeout expired',
];
const QUERY_READ_TIMEOUT = 'Query read timeout'; // client-side query_timeout: the server stopped answering

function layers(err: unknown): { code?: unknown; message?: unknown }[] {
  const out: { code?: unknown; message?: unknown }[] = [];
  let e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown } | undefined;
  for (let i = 0; e && typeof e === 'object' && i < 4; i++) {
    out.push(e);
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return out;
}

/**
 * A database timeout or outage as a typed error: a statement that ran out of time is 504
 * UPSTREAM_TIMEOUT, an unreachable or refusing database is 503 DEPENDENCY_UNAVAILABLE. Null for
 * anything else (a constraint violation, a bug), which stays the caller's business.
 */
export function databaseFailure(err: unknown): CommonError | null {
  for (const e of layers(err)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const message = typeof e.message === 'string' ? e.message : '';
    if (code === PG_QUERY_CANCELED || message === QUERY_READ_TIMEOUT) {
      return new CommonError(
        CommonErrorCode.UpstreamTimeout,
        'Database timeout',
        'The database did not complete the operation in time (it may be overloaded or a table is locked); try again later.',
      );
    }
    if ((code && UNAVAILABLE_CODES.has(code)) || UNAVAILABLE_MESSAGES.includes(message)) {
      return new CommonError(CommonErrorCode.DependencyUnavailable, 'Database unavailable', 'The database cannot be reached right now; try again later.');
    }
  }
  return null;
}
