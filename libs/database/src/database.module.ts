import { TypeOrmModule } from '@nestjs/typeorm';
import { createDataSource } from './data-source.js';

/** The database connection every app imports; migrations run only through `npm run migrate`. */
export function databaseModule(config: { DATABASE_URL: string; DATABASE_POOL_SIZE: number }, app: string) {
  return TypeOrmModule.forRoot({
    ...createDataSource({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE, applicationName: `mailplane-${app}` }).options,
    migrationsRun: false,
  });
}
