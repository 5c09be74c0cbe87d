import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDataSource } from '#database';

/** Server URL the tests use; the test command sets it (defaults to the dev machine's Postgres). */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mailplane_test';

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withDatabase(TEST_DATABASE_URL, 'postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** A throw-away database with every migration applied; each suite gets its own. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `mp_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(TEST_DATABASE_URL, name);
  const ds = createDataSource({ url, poolSize: 2, applicationName: 'mailplane-test' });
  try {
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
  } catch (err) {
    if (ds.isInitialized) await ds.destroy();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    throw err;
  }
  return {
    name,
    url,
    query: (sql, params) => ds.query(sql, params),
    async drop() {
      await ds.destroy();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/**
 * Drops databases left by test runs that were killed before their clean-up (names start with mp_).
 * One still in use (a suite or benchmark running beside) is left alone.
 */
export async function dropStaleTestDatabases(): Promise<string[]> {
  return admin(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database d WHERE datname ~ '^mp_[a-z0-9_]+_[0-9a-f]{8}$'
         AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`,
    );
    const dropped: string[] = [];
    for (const r of rows) {
      try {
        await c.query(`DROP DATABASE IF EXISTS ${r.datname}`);
        dropped.push(r.datname);
      } catch {
        // Someone connected in between: it is not stale.
      }
    }
    return dropped;
  });
}
