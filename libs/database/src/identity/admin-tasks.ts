import type { DataSource, EntityManager } from 'typeorm';
import { generateApiKey, hashAccountPassword } from '#common';
import type { Role, Scope } from '#contracts';
import { rowsOf } from '../pg-results.js';

/** Operator tasks shared by the first-admin seed and the admin CLI (not reachable over HTTP). */

export async function ensureTenant(m: EntityManager, name: string): Promise<string> {
  const rows: { id: string }[] = await m.query(`INSERT INTO tenants (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, [
    name,
  ]);
  return rows[0].id;
}

export async function createAccount(m: EntityManager, input: { email: string; password: string; role: Role; tenantId: string }): Promise<string> {
  const hash = await hashAccountPassword(input.password);
  const rows: { id: string }[] = await m.query(`INSERT INTO accounts (tenant_id, email, password_hash, role) VALUES ($1, $2, $3, $4) RETURNING id`, [
    input.tenantId,
    input.email.toLowerCase(),
    hash,
    input.role,
  ]);
  return rows[0].id;
}

export async function createApiKeyRow(
  m: EntityManager,
  input: { accountId: string; tenantId: string; name: string; scopes: Scope[] },
): Promise<{ id: string; fullKey: string }> {
  const key = generateApiKey();
  const rows: { id: string }[] = await m.query(
    `INSERT INTO api_keys (key_id, secret_sha256, name, account_id, tenant_id, scopes) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [key.keyId, key.secretSha256, input.name, input.accountId, input.tenantId, input.scopes],
  );
  return { id: rows[0].id, fullKey: key.fullKey };
}

export async function resetAccountPassword(ds: DataSource, email: string, password: string): Promise<boolean> {
  const hash = await hashAccountPassword(password);
  const rows = rowsOf(await ds.query(`UPDATE accounts SET password_hash = $2, updated_at = now() WHERE email = $1 RETURNING id`, [email.toLowerCase(), hash]));
  if (rows.length === 0) return false;
  // A reset ends every session of the account.
  await ds.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND account_id = (SELECT id FROM accounts WHERE email = $1)`, [
    email.toLowerCase(),
  ]);
  return true;
}

/** Serialises concurrent first starts (two processes both seeing "no admin yet"). */
export async function accountExists(ds: DataSource, email: string): Promise<boolean> {
  const rows: unknown[] = await ds.query(`SELECT 1 FROM accounts WHERE email = $1`, [email]);
  return rows.length > 0;
}

/** Sets (null: clears) an account's IP allowlist; false when there is no such account. */
export async function setAccountIpAllowlist(ds: DataSource, email: string, cidrs: string[] | null): Promise<boolean> {
  const rows: unknown[] = await ds.query(`UPDATE accounts SET ip_allowlist = $2 WHERE email = $1 RETURNING id`, [email, cidrs]);
  return rows.length > 0;
}

export const FIRST_ADMIN_LOCK = 731_001;
