import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generatePassword, loadConfig } from '#common';
import { WILDCARD_SCOPE } from '#contracts';
import { createDataSource } from '../src/data-source.js';
import { createAccount, createApiKeyRow, ensureTenant, FIRST_ADMIN_LOCK } from '../src/identity/admin-tasks.js';

/**
 * Creates the first platform admin and a full-access API key when no platform admin exists, and
 * prints them once. Re-running does nothing. `--credentials-file F` also writes them to F (mode 600)
 * so the start command can show them again until the operator deletes the file.
 */
const config = loadConfig();
const fileArg = process.argv.indexOf('--credentials-file');
const credentialsFile = fileArg > 0 ? process.argv[fileArg + 1] : undefined;

const ds = createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'mailplane-seed' });
await ds.initialize();
try {
  const created = await ds.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [FIRST_ADMIN_LOCK]);
    const existing: unknown[] = await m.query(`SELECT 1 FROM accounts WHERE role = 'platform_admin' LIMIT 1`);
    if (existing.length > 0) return null;
    const tenantId = await ensureTenant(m, config.BOOTSTRAP_TENANT_NAME);
    const password = generatePassword();
    const accountId = await createAccount(m, { email: config.BOOTSTRAP_ADMIN_EMAIL, password, role: 'platform_admin', tenantId });
    const key = await createApiKeyRow(m, { accountId, tenantId, name: 'bootstrap', scopes: [WILDCARD_SCOPE] });
    return { email: config.BOOTSTRAP_ADMIN_EMAIL, password, apiKey: key.fullKey };
  });
  if (!created) {
    console.log('[seed] a platform admin already exists; nothing created (reset a password with: npm run admin -- reset-password --email <email>)');
  } else {
    const text = [
      'First platform admin (shown once; store it now):',
      `  email:    ${created.email}`,
      `  password: ${created.password}`,
      `  API key:  ${created.apiKey}`,
    ].join('\n');
    console.log(text);
    if (credentialsFile) {
      mkdirSync(dirname(credentialsFile), { recursive: true });
      writeFileSync(credentialsFile, `${text}\n`, { mode: 0o600 });
    }
  }
} finally {
  await ds.destroy();
}
