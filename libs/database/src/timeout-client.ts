import pg from 'pg';

/** pg's message for a query that outlived `query_timeout` (no code of its own). */
export const PG_QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * A pg Client that closes its connection when a query outlives the client-side `query_timeout`.
 * pg rejects such a query but leaves it running on the connection, which then returns to the pool
 * with every later query queued behind it; closing it makes the pool open a fresh one instead.
 * That timeout only fires when the server itself stops answering (statement_timeout, a little
 * shorter, cancels slow statements server-side first).
 */
export class TimeoutClosingClient extends pg.Client {
  override query(...args: unknown[]): never {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result && typeof (result as Promise<unknown>).catch === 'function') {
      // Observe the rejection without handling it for the caller, who still gets it. This reaction
      // was registered first, so it runs before the caller releases the client to the pool: marked
      // unqueryable, the pool discards it (pg-pool's documented-in-code `_queryable` check).
      (result as Promise<unknown>).catch((err: unknown) => {
        if (err instanceof Error && err.message === PG_QUERY_READ_TIMEOUT) {
          const self = this as unknown as { _queryable: boolean; connection?: { stream?: { destroy(): void } } };
          self._queryable = false;
          self.connection?.stream?.destroy();
        }
      });
    }
    return result as never;
  }
}
