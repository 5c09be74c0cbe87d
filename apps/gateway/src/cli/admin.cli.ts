import { parseArgs } from 'node:util';
import { accountPasswordProblem, generatePassword, loadConfig } from '#common';
import { ROLES, type Role } from '#contracts';
import { createAccount, createDataSource, ensureTenant, resetAccountPassword } from '#database';

const USAGE = `Usage:
  npm run admin -- create-admin --email <email> [--role platform_admin] [--password <pw>]
  npm run admin -- create-admin --email <email> --role tenant_admin --tenant <name> [--password <pw>]
  npm run admin -- reset-password --email <email> [--password <pw>]
Without --password a strong one is generated and printed once.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: 'string' },
    role: { type: 'string', default: 'platform_admin' },
    tenant: { type: 'string' },
    password: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const command = positionals[0];
if (values.help || !command) {
  console.log(USAGE);
  process.exit(command || values.help ? 0 : 2);
}
const email = values.email?.trim().toLowerCase();
if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fail('--email must be an email address');
const password = values.password ?? generatePassword();
const problem = accountPasswordProblem(password);
if (problem) fail(`--password ${problem}`);

const config = loadConfig();
const ds = createDataSource({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'mailplane-admin-cli' });
await ds.initialize();
try {
  if (command === 'create-admin') {
    const role = values.role as Role;
    if (!ROLES.includes(role) || role === 'domain_admin') fail('--role must be platform_admin or tenant_admin');
    // The bootstrap tenant is the platform's own: tenant admins there would manage platform objects.
    if (role === 'tenant_admin' && (!values.tenant || values.tenant === config.BOOTSTRAP_TENANT_NAME)) {
      fail(`--tenant is required for a tenant_admin and must not be the platform tenant "${config.BOOTSTRAP_TENANT_NAME}"`);
    }
    const tenantName = values.tenant ?? config.BOOTSTRAP_TENANT_NAME;
    const exists: unknown[] = await ds.query(`SELECT 1 FROM accounts WHERE email = $1`, [email]);
    if (exists.length) fail(`an account ${email} already exists (use reset-password)`);
    const accountId = await ds.transaction(async (m) => createAccount(m, { email, password, role, tenantId: await ensureTenant(m, tenantName) }));
    console.log(JSON.stringify({ account_id: accountId, email, role, tenant: tenantName, ...(values.password ? {} : { password }) }));
  } else if (command === 'reset-password') {
    if (!(await resetAccountPassword(ds, email, password))) fail(`no account ${email}`);
    console.log(JSON.stringify({ email, ...(values.password ? {} : { password }), sessions_revoked: true }));
  } else {
    fail(`unknown command ${command}`);
  }
} finally {
  await ds.destroy();
}
