import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations/index.js';
import { TimeoutClosingClient } from './timeout-client.js';

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Longest wait for a new connection or a free pool slot (0/absent: none). */
  connectTimeoutMs?: number;
  /** Server-side limit per statement (SQLSTATE 57014 when hit); 0/absent: the server's default. */
  statementTimeoutMs?: number;
  /** A session idle inside a transaction this long is ended by the server; 0/absent: server's default. */
  idleInTransactionTimeoutMs?: number;
}

/**
 * How much longer than statement_timeout the client waits for any answer before giving up on a
 * server that has stopped responding (statement_timeout needs a live server to fire).
 */
export const CLIENT_TIMEOUT_MARGIN_MS = 1000;

/** pg Pool/Client options for the timeouts; absent or 0 leaves each off. */
export function timeoutOptions(s: Pick<DataSourceSettings, 'statementTimeoutMs' | 'idleInTransactionTimeoutMs'>): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  if (s.statementTimeoutMs) {
    extra.statement_timeout = s.statementTimeoutMs;
    extra.query_timeout = s.statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS;
    extra.Client = TimeoutClosingClient;
  }
  if (s.idleInTransactionTimeoutMs) extra.idle_in_transaction_session_timeout = s.idleInTransactionTimeoutMs;
  return extra;
}

/**
 * Migrations and plain SQL only (repositories write SQL; there are no entities): `synchronize` stays off everywhere. Timeouts apply when given: the apps pass
 * the configured ones (databaseModule); the migrate and seed CLIs pass none, so a long migration
 * is not cut off.
 */
export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url: settings.url,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Failed queries are reported by the callers' error handling; TypeORM's own log would print
    // their parameters (hashes, emails) unredacted.
    logging: false,
    poolSize: settings.poolSize ?? 10,
    applicationName: settings.applicationName ?? 'mailplane',
    connectTimeoutMS: settings.connectTimeoutMs || undefined,
    extra: timeoutOptions(settings),
  });
}
