import type { DataSource } from 'typeorm';
import { loadConfig } from '#common';
import { createDataSource } from '../data-source.js';

/** `npm run migrate`: applies pending migrations (each in its own transaction) and exits. */
let ds: DataSource | undefined;
try {
  const config = loadConfig();
  ds = createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'mailplane-migrate' });
  await ds.initialize();
  const applied = await ds.runMigrations({ transaction: 'each' });
  console.log(applied.length ? `[migrate] applied: ${applied.map((m) => m.name).join(', ')}` : '[migrate] database is up to date');
} catch (err) {
  console.error(`[migrate] failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  if (ds?.isInitialized) await ds.destroy();
}
