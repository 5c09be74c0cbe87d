import { TypeOrmModule } from '@nestjs/typeorm';
import { createDataSource } from './data-source.js';

/** The database connection every app imports; migrations run only through `npm run migrate`. */
export function databaseModule(
  config: {
    DATABASE_URL: string;
    DATABASE_POOL_SIZE: number;
    DATABASE_CONNECT_TIMEOUT_MS?: number;
    DATABASE_STATEMENT_TIMEOUT_MS?: number;
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS?: number;
  },
  app: string,
) {
  return TypeOrmModule.forRoot({
    ...createDataSource({
      url: config.DATABASE_URL,
      poolSize: config.DATABASE_POOL_SIZE,
      applicationName: `mailplane-${app}`,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    }).options,
    migrationsRun: false,
  });
}
