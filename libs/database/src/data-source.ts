import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations/index.js';
import { AccountEntity } from './entities/account.entity.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';
import { DomainEntity } from './entities/domain.entity.js';
import { RefreshTokenEntity } from './entities/refresh-token.entity.js';
import { TenantEntity } from './entities/tenant.entity.js';

export const ENTITIES = [TenantEntity, AccountEntity, ApiKeyEntity, RefreshTokenEntity, DomainEntity];

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/** Migrations only: `synchronize` stays off everywhere. */
export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
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
