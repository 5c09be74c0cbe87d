import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { builtInDefaults, GLOBAL_FIELDS } from '#contracts';
import { createTestDatabase, type TestDatabase } from '../../../../test/helpers/database.js';
import { MAIL } from '../../../../test/helpers/mail.js';
import { requireBinary, runCommand } from '../exec/command-runner.js';
import { hashMailPassword } from '../passwords/mail-password.js';
import { pgsqlMapPath } from '../postfix/pgsql-maps.renderer.js';
import { reconcileMailstack } from './reconcile.js';
import type { MailstackPaths, ReconcileInput } from './reconcile.types.js';

/**
 * Shared set-up of the suites that run reconcile against the real Postfix, Dovecot and OpenDKIM of
 * this host (scripts/mailstack.sh has run): a private database with one tenant and a domain whose
 * mailboxes, alias and catch-all the suites mail to.
 */
export const PATHS: MailstackPaths = {
  binPath: MAIL.binPath,
  postfixDir: process.env.POSTFIX_CONFIG_DIR ?? '/etc/postfix',
  dovecotDir: process.env.DOVECOT_CONFIG_DIR ?? '/etc/dovecot',
  opendkimDir: process.env.OPENDKIM_CONFIG_DIR ?? '/etc/opendkim',
  opendkimUser: process.env.OPENDKIM_USER ?? 'opendkim',
  rspamdDir: process.env.RSPAMD_CONFIG_DIR ?? '/etc/rspamd',
};
export const MAIL_LOG = process.env.MAIL_LOG_FILE ?? '/var/log/mail.log';

export async function postconf(name: string): Promise<string> {
  return (await runCommand(requireBinary('postconf', PATHS.binPath), ['-c', PATHS.postfixDir, '-h', name])).stdout.trim();
}

/** Every file reconcile renders, with its content. */
export async function snapshotFiles(): Promise<Record<string, string>> {
  const files = [
    ...(['virtual_domains', 'virtual_mailboxes', 'virtual_aliases', 'transport'] as const).map((m) => pgsqlMapPath(PATHS.postfixDir, m)),
    `${PATHS.postfixDir}/main.cf`,
    `${PATHS.postfixDir}/master.cf`,
    `${PATHS.dovecotDir}/mailplane-sql.conf.ext`,
    `${PATHS.dovecotDir}/mailplane.conf`,
    `${PATHS.opendkimDir}/KeyTable`,
    `${PATHS.opendkimDir}/SigningTable`,
  ];
  return Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(f, 'utf8')] as const)));
}

export async function waitForLog(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const line = (await readFile(MAIL_LOG, 'utf8')).split('\n').find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > end) throw new Error(`no line matching ${pattern} in ${MAIL_LOG}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A regexp source matching `s` literally. */
export const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface MailFixture {
  db: TestDatabase;
  tenant: string;
  /** alice (ARGON2ID), bob (SSHA512, 20 kB quota, gets the catch-all), carol (BLF-CRYPT, IMAP off); team@ → alice. */
  domain: string;
  domainId: string;
  /** A second domain: no mailboxes, no catch-all. */
  bulkDomain: string;
  bulkId: string;
  selector: string;
  privateKey: string;
  pw: { alice: string; bob: string; carol: string };
  input: ReconcileInput;
  cleanup(): Promise<void>;
}

export async function createMailFixture(label: string): Promise<MailFixture> {
  const db = await createTestDatabase(label);
  const domain = `rc${randomBytes(4).toString('hex')}.test`;
  const bulkDomain = `bulk${randomBytes(4).toString('hex')}.test`;
  const selector = 'mp1';
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const pw = { alice: 'alice-Secret-1', bob: 'bob-Secret-2', carol: 'carol-Secret-3' };

  const tenant = (await db.query<{ id: string }>(`INSERT INTO tenants (name) VALUES ('t') RETURNING id`))[0].id;
  const domainId = (await db.query<{ id: string }>(`INSERT INTO domains (tenant_id, name) VALUES ($1, $2) RETURNING id`, [tenant, domain]))[0].id;
  const mailbox = async (local: string, hash: string, quota: number | null) =>
    (
      await db.query<{ id: string }>(
        `INSERT INTO mailboxes (tenant_id, domain_id, local_part, address, password_hash, quota_bytes) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [tenant, domainId, local, `${local}@${domain}`, hash, quota],
      )
    )[0].id;
  await mailbox('alice', await hashMailPassword(pw.alice, 'ARGON2ID'), null);
  await mailbox('bob', await hashMailPassword(pw.bob, 'SSHA512'), 20_000);
  const carol = await mailbox('carol', await hashMailPassword(pw.carol, 'BLF-CRYPT'), null);
  await db.query(`INSERT INTO mailbox_overrides (mailbox_id, settings) VALUES ($1, '{"enabled_imap": false}')`, [carol]);
  await db.query(`INSERT INTO aliases (tenant_id, domain_id, source, destinations) VALUES ($1, $2, $3, $4)`, [
    tenant,
    domainId,
    `team@${domain}`,
    [`alice@${domain}`],
  ]);
  await db.query(`INSERT INTO aliases (tenant_id, domain_id, source, destinations) VALUES ($1, $2, $3, $4)`, [
    tenant,
    domainId,
    `@${domain}`,
    [`bob@${domain}`],
  ]);
  const bulkId = (await db.query<{ id: string }>(`INSERT INTO domains (tenant_id, name) VALUES ($1, $2) RETURNING id`, [tenant, bulkDomain]))[0].id;

  const input: ReconcileInput = {
    global: builtInDefaults(GLOBAL_FIELDS),
    dkimKeys: [{ domain, selector, privateKeyPem: privateKey }],
    database: { host: '127.0.0.1', port: 5432, dbname: db.name, user: 'mailplane_mailstack', password: null },
  };
  return {
    db,
    tenant,
    domain,
    domainId,
    bulkDomain,
    bulkId,
    selector,
    privateKey,
    pw,
    input,
    async cleanup() {
      // Leave the daemons on built-in settings without this suite's key; the database goes away.
      await reconcileMailstack({ ...input, global: builtInDefaults(GLOBAL_FIELDS), dkimKeys: [], tls: null }, PATHS).catch(() => undefined);
      await rm(`${MAIL.vmail}/${domain}`, { recursive: true, force: true });
      // Postfix's proxymap and Dovecot's auth keep sessions open as the read-only role: ending them
      // (DROP DATABASE ... WITH (FORCE)) needs membership in it (scripts/mailstack.sh grants it too).
      await db.query(`GRANT mailplane_mailstack TO CURRENT_USER`).catch(() => undefined);
      await db.drop();
    },
  };
}
