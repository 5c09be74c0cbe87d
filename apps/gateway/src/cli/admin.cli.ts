import { parseArgs } from 'node:util';
import { accountPasswordProblem, generatePassword, loadConfig } from '#common';
import { checkCidr, ROLES, type Role } from '#contracts';
import { accountExists, createAccount, createDataSource, ensureTenant, resetAccountPassword, setAccountIpAllowlist } from '#database';
import { readPassword } from './read-password.js';

const USAGE = `Usage:
  npm run admin -- create-admin --email <email> [--role platform_admin] [--password-stdin]
  npm run admin -- create-admin --email <email> --role tenant_admin --tenant <name> [--password-stdin]
  npm run admin -- reset-password --email <email> [--password-stdin]
  npm run admin -- set-ip-allowlist --email <email> --cidrs <cidr,cidr,...|none>
--password-stdin reads the password from stdin (e.g. printf '%s' "$PW" | npm run admin -- ...), or
asks for it without echo when stdin is a terminal. Without it a strong one is generated and printed once.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

// Refused before parsing, whatever its form (--password x, --password=x): argv is readable by every
// user of the host (ps, /proc/<pid>/cmdline) and stays in the shell's history.
if (process.argv.slice(2).some((a) => /^--password(=|$)/.test(a))) {
  fail(
    '--password is not accepted: a password on the command line is visible to other users (ps) and kept in shell history.\nUse --password-stdin (pipe it in, or type it at the prompt), or leave it out to have one generated.',
  );
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    email: { type: 'string' },
    role: { type: 'string', default: 'platform_admin' },
    tenant: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    cidrs: { type: 'string' },
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
const given = values['password-stdin'] === true;
let password = generatePassword();
if (given && command !== 'set-ip-allowlist') {
  const read = await readPassword();
  if ('mismatch' in read) fail('the two passwords differ');
  password = read.password;
}
const problem = accountPasswordProblem(password);
if (problem) fail(`the password ${problem}`);

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
    if (await accountExists(ds, email)) fail(`an account ${email} already exists (use reset-password)`);
    const accountId = await ds.transaction(async (m) => createAccount(m, { email, password, role, tenantId: await ensureTenant(m, tenantName) }));
    console.log(JSON.stringify({ account_id: accountId, email, role, tenant: tenantName, ...(given ? {} : { password }) }));
  } else if (command === 'reset-password') {
    if (!(await resetAccountPassword(ds, email, password))) fail(`no account ${email}`);
    console.log(JSON.stringify({ email, ...(given ? {} : { password }), sessions_revoked: true }));
  } else if (command === 'set-ip-allowlist') {
    // The account's allowlist (canonical CIDR blocks, host bits refused); `none` = from anywhere.
    if (!values.cidrs) fail('--cidrs is required (comma-separated CIDR blocks, or none)');
    let cidrs: string[] | null = null;
    if (values.cidrs.trim() !== 'none') {
      const checked = values.cidrs
        .split(',')
        .map((c) => c.trim())
        .map((c) => ({ c, r: checkCidr(c) }));
      const bad = checked.filter((x) => !x.r.ok).map((x) => `${x.c}: ${(x.r as { reason: string }).reason}`);
      if (bad.length) fail(`--cidrs: ${bad.join('; ')}`);
      cidrs = [...new Set(checked.map((x) => (x.r as { value: string }).value))];
    }
    if (!(await setAccountIpAllowlist(ds, email, cidrs))) fail(`no account ${email}`);
    console.log(JSON.stringify({ email, ip_allowlist: cidrs }));
  } else {
    fail(`unknown command ${command}`);
  }
} finally {
  await ds.destroy();
}
