import type { DataSource } from 'typeorm';
import { SecretBox, type AppConfig } from '#common';
import { effectiveGlobal } from '#contracts';
import { loadDkimSigningKeys } from '#database';
import type { MailstackDatabase, ReconcileDkimKey, ReconcileInput } from '#mailstack';
import { PermanentJobError } from '../jobs/permanent-job.error.js';
import { loadAntispamInput } from './antispam-input.js';

/** The role Postfix and Dovecot read the `mailstack` views with when MAILSTACK_DATABASE_URL is unset. */
export const MAILSTACK_DB_ROLE = 'mailplane_mailstack';

/** MAILSTACK_DATABASE_URL, else DATABASE_URL's server and database as the read-only role without a password. */
export function mailstackDatabase(config: AppConfig): MailstackDatabase {
  const explicit = config.MAILSTACK_DATABASE_URL;
  const u = new URL(explicit ?? config.DATABASE_URL);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || 5432),
    dbname: decodeURIComponent(u.pathname.replace(/^\//, '')),
    user: explicit ? decodeURIComponent(u.username) : MAILSTACK_DB_ROLE,
    password: explicit && u.password ? decodeURIComponent(u.password) : null,
  };
}

async function storedGlobal(ds: DataSource): Promise<Record<string, unknown>> {
  const rows: { settings: Record<string, unknown> }[] = await ds.query(`SELECT settings FROM global_config WHERE id = 1`);
  return rows[0]?.settings ?? {};
}

/**
 * Opens each signing key just for this run. Without MAILPLANE_SECRET_KEY the job fails (a retry
 * cannot fix it); one key that does not open is left out and reported, so it does not hold back
 * every other domain's changes.
 */
async function dkimKeys(ds: DataSource, secretKey: string | undefined): Promise<{ keys: ReconcileDkimKey[]; warnings: string[] }> {
  const rows = await loadDkimSigningKeys(ds);
  if (!rows.length) return { keys: [], warnings: [] };
  if (!secretKey) throw new PermanentJobError('MAILPLANE_SECRET_KEY is not set: the DKIM private keys cannot be decrypted.');
  const box = new SecretBox(secretKey);
  const keys: ReconcileDkimKey[] = [];
  const warnings: string[] = [];
  for (const r of rows) {
    try {
      keys.push({ domain: r.domain, selector: r.selector, privateKeyPem: box.open(r.private_key_enc, r.id) });
    } catch {
      warnings.push(`DKIM key ${r.selector}._domainkey.${r.domain} cannot be decrypted with MAILPLANE_SECRET_KEY: ${r.domain} is not signed`);
    }
  }
  return { keys, warnings };
}

/** Served domains whose mail leaves from an address of their own (outgoing_ip other than "auto"). */
async function outgoingAddresses(ds: DataSource): Promise<{ domain: string; ip: string }[]> {
  const rows: { domain: string; ip: string }[] = await ds.query(
    `SELECT d.name AS domain, d.outgoing_ip AS ip FROM domains d
      WHERE d.outgoing_ip <> 'auto' AND d.active AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = d.tenant_id AND t.active)
      ORDER BY d.name`,
  );
  return rows;
}

export async function buildReconcileInput(ds: DataSource, config: AppConfig): Promise<{ input: ReconcileInput; warnings: string[] }> {
  const stored = await storedGlobal(ds);
  const global = effectiveGlobal(stored);
  const [dkim, antispam] = await Promise.all([dkimKeys(ds, config.MAILPLANE_SECRET_KEY), loadAntispamInput(ds, stored)]);
  const tls = global.tls_cert_file && global.tls_key_file ? { certFile: global.tls_cert_file, keyFile: global.tls_key_file } : null;
  const policy = { host: config.POLICY_HOST, port: config.POLICY_PORT };
  const outgoing = await outgoingAddresses(ds);
  return { input: { global, dkimKeys: dkim.keys, database: mailstackDatabase(config), tls, antispam, policy, outgoing }, warnings: dkim.warnings };
}
