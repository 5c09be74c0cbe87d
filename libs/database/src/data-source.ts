import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations/index.js';

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/** Migrations and plain SQL only (repositories write SQL; there are no entities): `synchronize` stays off everywhere. */
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
  });
}
