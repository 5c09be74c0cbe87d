import { randomBytes } from 'node:crypto';
import { readFile, unlink, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';
import { PASSWORD_QUERY, USER_QUERY } from '../dovecot/sql-conf.renderer.js';
import { type PostfixBinaries, probePgsqlMap } from '../postfix/postfix.js';
import { writeAtomic } from './file-snapshot.js';
import type { MailstackDatabase } from './reconcile.types.js';

/** Whether any rendered file differs from what is on disk (a missing file differs). */
export async function anyDiffers(files: { path: string; content: string }[]): Promise<boolean> {
  for (const f of files) {
    const cur = await readFile(f.path, 'utf8').catch(() => null);
    if (cur !== f.content) return true;
  }
  return false;
}

/**
 * Proves the new database settings work BEFORE any live file changes: each rendered Postfix map is
 * looked up through postmap from a private temp copy, and Dovecot's queries run as the same role.
 * (Dovecot spawns auth workers on demand and each reads the live SQL file: a broken one must never
 * be there, even for the moments a later check takes.)
 */
export async function probeDatabase(bin: PostfixBinaries, postfixDir: string, maps: { path: string; content: string }[], db: MailstackDatabase): Promise<void> {
  for (const m of maps) {
    const tmp = join(dirname(m.path), `.probe-${randomBytes(4).toString('hex')}-${basename(m.path)}`);
    try {
      await writeAtomic(tmp, m.content, 0o600);
      // Postfix waits until a file it loads has not changed for a second or two: this one is settled.
      const past = new Date(Date.now() - 60_000);
      await utimes(tmp, past, past);
      await probePgsqlMap(bin, postfixDir, tmp);
    } catch (err) {
      throw new Error((err as Error).message.replaceAll(tmp, m.path));
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }
  const client = new pg.Client({
    host: db.host,
    port: db.port,
    database: db.dbname,
    user: db.user,
    password: db.password ?? undefined,
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
    for (const q of [PASSWORD_QUERY, USER_QUERY]) await client.query(q.replaceAll('%u', 'mailplane-probe@invalid').replaceAll('%s', 'imap'));
  } catch (err) {
    throw new Error(`Dovecot's SQL lookups fail as ${db.user} on ${db.host}:${db.port}/${db.dbname}: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
