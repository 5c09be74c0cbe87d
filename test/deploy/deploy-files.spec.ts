/**
 * Static checks of the deployment files: Dockerfile, docker-compose.yml, k8s/ and .env.example.
 *
 * Nothing here needs Docker or a cluster. The main guarantee: every environment variable those
 * files set is a key of the config schema (libs/common/src/config/config.schema.ts), so a typo or a
 * renamed variable fails here instead of being silently ignored in production.
 *
 * Compiled to dist/test/deploy/deploy-files.spec.js and run from there with `node --test`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CONFIG_KEYS, configSchema, natsPasswordEnvOf } from '#common';
import { BUS_APPS, BUS_SENDERS, type BusApp } from '#contracts';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Walks up from this file (src or dist) to the directory whose package.json is "mailplane". */
function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkgPath = join(dir, 'package.json');
    if (existsSync(pkgPath)) {
      try {
        if ((JSON.parse(readFileSync(pkgPath, 'utf8')) as { name?: unknown }).name === 'mailplane') return dir;
      } catch {
        // unreadable package.json: keep walking
      }
    }
    if (dirname(dir) === dir) throw new Error(`no package.json with name "mailplane" above ${start}`);
  }
}

const ROOT = findRepoRoot(import.meta.dirname);
const KNOWN_KEYS = new Set(CONFIG_KEYS);

/** Dummy but valid values for the secrets that compose requires via `${VAR:?...}`. */
const DUMMY_SECRETS: Readonly<Record<string, string>> = {
  JWT_SECRET: 'x'.repeat(48),
  MAILPLANE_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
  REDIS_PASSWORD: 'r'.repeat(64),
  BUS_VERIFY_KEYS: 'gateway=MCowBQYDK2VwAyEAdummy,worker=MCowBQYDK2VwAyEAdummy',
};
/**
 * .env values that are no Mailplane config key: compose builds them into the services' URLs and the
 * third-party containers' settings (Redis's requirepass).
 */
const COMPOSE_ONLY_SECRETS = ['REDIS_PASSWORD'];
const SCHEMA_DUMMY_SECRETS = Object.fromEntries(Object.entries(DUMMY_SECRETS).filter(([k]) => !COMPOSE_ONLY_SECRETS.includes(k)));

/**
 * The secrets each component uses (from config.schema.ts and the requireConfig calls): nothing
 * more may reach it. The mail node (its daemons, queue-service, stats-service, its worker) sits on
 * the internet-facing host: no JWT_SECRET, and its DATABASE_URL is role mailplane_node.
 */
const SECRET_KEYS = ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'MAILPLANE_SECRET_KEY', 'MAILSTACK_DATABASE_URL', 'MAIL_NODE_DATABASE_URL'];
const SECRETS_NEEDED: Readonly<Record<string, readonly string[]>> = {
  migrate: ['DATABASE_URL', 'MAILSTACK_DATABASE_URL', 'MAIL_NODE_DATABASE_URL'],
  gateway: ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'MAILPLANE_SECRET_KEY'],
  'domain-service': ['DATABASE_URL'],
  'mailbox-service': ['DATABASE_URL'],
  'dkim-tls-service': ['DATABASE_URL', 'MAILPLANE_SECRET_KEY'],
  // Opens the sealed passwords of mailbox imports.
  worker: ['DATABASE_URL', 'REDIS_URL', 'MAILPLANE_SECRET_KEY'],
};
/** Per mail-node container in k8s (compose runs them all in one container: the union). */
const MAIL_NODE_SECRETS_NEEDED: Readonly<Record<string, readonly string[]>> = {
  seed: ['MAILSTACK_DATABASE_URL'],
  mailnode: ['MAILSTACK_DATABASE_URL'],
  'queue-service': [],
  'stats-service': [],
  // Reads the mailstack views (DATABASE_URL from MAIL_NODE_DATABASE_URL) and keeps its counters in Redis.
  'policy-service': ['DATABASE_URL', 'REDIS_URL'],
  // DATABASE_URL from MAIL_NODE_DATABASE_URL; the secret key opens the DKIM keys reconcile installs.
  worker: ['DATABASE_URL', 'REDIS_URL', 'MAILSTACK_DATABASE_URL', 'MAILPLANE_SECRET_KEY'],
};
const MAIL_NODE_ROLE = 'mailplane_node';
const roleOf = (url: string) => decodeURIComponent(new URL(url).username);

/** BUS_SIGNING_KEY_GATEWAY etc.: a sender's key as .env holds it for docker-compose.yml. */
const signingKeyEnvOf = (app: BusApp) => `BUS_SIGNING_KEY_${app.toUpperCase().replace(/-/g, '_')}`;
/**
 * Not app config but inputs of docker-compose.yml: every app's bus password (for the generated
 * nats-server config and the app itself) and every sender's signing key. Required, with dummies here.
 */
const BUS_SECRET_VARS: readonly string[] = [...BUS_APPS.map(natsPasswordEnvOf), ...BUS_SENDERS.map(signingKeyEnvOf)];
const DUMMY_BUS_SECRETS: Readonly<Record<string, string>> = Object.fromEntries(BUS_SECRET_VARS.map((v) => [v, `dummy-${v.toLowerCase()}`]));

/** Every app under apps/ (each must run somewhere in compose and in k8s). */
const APPS = readdirSync(join(ROOT, 'apps'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'apps', entry.name, 'src', 'main.ts')))
  .map((entry) => entry.name)
  .sort();
/** NATS services and the general worker: own Deployment / compose service with HEALTH_PORT probes. */
const HEALTH_PORT_APPS = ['domain-service', 'mailbox-service', 'dkim-tls-service', 'worker'];
/** Apps that run beside Postfix/Dovecot/OpenDKIM on the mail node. */
const MAIL_NODE_APPS = ['queue-service', 'stats-service', 'worker', 'policy-service'];
/** What the mail node's processes share: config, queue, mail, logs. */
const MAIL_NODE_SHARED_PATHS = ['/etc/postfix', '/etc/dovecot', '/etc/opendkim', '/var/spool/postfix', '/var/vmail', '/var/log'];
/** SMTP, submission, IMAP, IMAPS. */
const MAIL_PORTS = [25, 587, 143, 993];
const appMain = (app: string) => `dist/apps/${app}/src/main.js`;

function readRepoFile(rel: string): string {
  const path = join(ROOT, rel);
  assert.ok(existsSync(path), `${rel} is missing`);
  return readFileSync(path, 'utf8');
}

/** Every YAML document of a file as plain JS (merge keys `<<` resolved, as compose does). */
function loadYamlDocs(rel: string): unknown[] {
  const docs = parseAllDocuments(readRepoFile(rel), { merge: true });
  for (const doc of docs) {
    assert.deepEqual(
      doc.errors.map((e) => e.message),
      [],
      `${rel}: YAML errors`,
    );
  }
  return docs.map((doc) => doc.toJS() as unknown).filter((value) => value !== null && value !== undefined);
}

/**
 * Loads a fixture on first use, inside a test: a broken file then fails the tests that need it
 * (counted as failures) instead of aborting the whole suite while it is being declared.
 */
function lazy<T>(load: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: load() }).v;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  assert.ok(isRecord(value), `${where}: expected a mapping`);
  return value;
}

/** Fails, naming the file and the offending keys, unless every key is in CONFIG_KEYS. */
function assertKnownKeys(keys: Iterable<string>, where: string): void {
  const unknown = [...keys].filter((key) => !KNOWN_KEYS.has(key));
  assert.deepEqual(unknown, [], `${where} sets env var(s) not in CONFIG_KEYS: ${unknown.join(', ')}`);
}

/** Parses the config like loadConfig does (empty strings count as unset) and reports every issue. */
function assertValidConfig(env: Record<string, string>, where: string) {
  const stripped = Object.keys(env).filter((key) => !KNOWN_KEYS.has(key));
  assert.deepEqual(stripped, [], `${where}: keys not in the schema: ${stripped.join(', ')}`);
  const input = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = configSchema.safeParse(input);
  assert.ok(parsed.success, `${where}: config does not validate:\n${parsed.error?.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------
// docker-compose.yml
// ---------------------------------------------------------------------------------------------

const INTERPOLATION = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/** Resolves compose `${VAR}`, `${VAR:-default}`, `${VAR:?message}`, `$VAR` and `$$` like an empty .env would. */
function interpolate(value: string, where: string): string {
  return value.replace(INTERPOLATION, (match, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare) as string;
    if (Object.hasOwn(DUMMY_SECRETS, name)) return DUMMY_SECRETS[name];
    if (Object.hasOwn(DUMMY_BUS_SECRETS, name)) {
      assert.equal(op, ':?', `${where}: ${match} must be required (\${${name}:?message})`);
      return DUMMY_BUS_SECRETS[name];
    }
    if (op === ':-' || op === '-') return arg ?? '';
    assert.fail(`${where}: ${match} has neither a default nor a dummy value in this test`);
  });
}

/** Every variable referenced by interpolation anywhere in a parsed compose file. */
function interpolatedNames(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(INTERPOLATION)) if (m[0] !== '$$') out.add((m[1] ?? m[4]) as string);
  } else if (Array.isArray(value)) {
    for (const item of value) interpolatedNames(item, out);
  } else if (isRecord(value)) {
    for (const item of Object.values(value)) interpolatedNames(item, out);
  }
  return out;
}

/** `environment:` as a map, whether written as a mapping or as a `KEY=VALUE` list. */
function composeEnv(service: Record<string, unknown>, where: string): Record<string, string> {
  const env = service.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        assert.equal(typeof entry, 'string', `${where}: environment list entries must be strings`);
        const [key, ...rest] = (entry as string).split('=');
        return [key, rest.join('=')];
      }),
    );
  }
  return Object.fromEntries(Object.entries(asRecord(env, `${where}.environment`)).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

function commandText(command: unknown): string {
  return Array.isArray(command) ? command.map(String).join(' ') : String(command ?? '');
}

function healthcheckText(service: Record<string, unknown>, where: string): string {
  const hc = asRecord(service.healthcheck, `${where}.healthcheck`);
  assert.notEqual(hc.disable, true, `${where}: healthcheck is disabled`);
  const test = commandText(hc.test);
  assert.ok(test.length > 0 && test !== 'NONE', `${where}: healthcheck.test is empty`);
  return test;
}

function dependsOn(service: Record<string, unknown>, name: string, condition: string, where: string): void {
  const deps = asRecord(service.depends_on, `${where}.depends_on`);
  const dep = asRecord(deps[name], `${where}.depends_on.${name}`);
  assert.equal(dep.condition, condition, `${where} must depend on ${name} with condition ${condition}`);
}

describe('docker-compose.yml', () => {
  const load = lazy(() => {
    const [compose, ...extra] = loadYamlDocs('docker-compose.yml');
    const file = asRecord(compose, 'docker-compose.yml');
    const services = asRecord(file.services, 'docker-compose.yml services');
    const service = (name: string) => asRecord(services[name], `docker-compose.yml service "${name}"`);
    /** Services that run the Mailplane image (the others are third-party images with their own env). */
    const mailplaneServices = Object.keys(services).filter((name) => {
      const s = service(name);
      return s.build !== undefined || String(s.image ?? '').startsWith('mailplane');
    });
    return { extra, file, service, mailplaneServices };
  });

  it('is a single YAML document', () => {
    const { extra } = load();
    assert.equal(extra.length, 0);
  });

  it('runs migrate, every app and the mail node from the Mailplane images', () => {
    const { service, mailplaneServices } = load();
    const expected = ['dkim-tls-service', 'domain-service', 'gateway', 'mailbox-service', 'mailnode', 'migrate', 'nats-config', 'worker'];
    assert.deepEqual([...mailplaneServices].sort(), expected);
    const others = mailplaneServices.filter((name) => name !== 'mailnode');
    const images = new Set(others.map((name) => service(name).image));
    assert.equal(images.size, 1, `all Mailplane services but the mail node should share one image, got ${[...images].join(', ')}`);
    assert.equal(asRecord(service(others[0]).build, 'build').target, 'runtime');
    const mailnode = service('mailnode');
    assert.equal(asRecord(mailnode.build, 'mailnode.build').target, 'mailnode', 'mailnode builds the mailnode target');
    assert.ok(!images.has(mailnode.image), 'the mail node image needs a name of its own');
  });

  it('runs every app under apps/ (the mail-node apps inside the mailnode service)', () => {
    const { service, mailplaneServices } = load();
    const commands = mailplaneServices.map((name) => commandText(service(name).command)).join('\n');
    assert.deepEqual(commandText(service('mailnode').command), 'all', 'mailnode runs `mailnode all`');
    const inMailnode = mailnodeScriptApps();
    for (const app of APPS) {
      assert.ok(commands.includes(appMain(app)) || inMailnode.includes(app), `docker-compose.yml does not run ${app}`);
    }
    assert.deepEqual([...inMailnode].sort(), [...MAIL_NODE_APPS].sort(), 'apps the mailnode entrypoint starts');
  });

  it('sets only env vars known to the config schema on Mailplane services', () => {
    const { file, service, mailplaneServices } = load();
    assertKnownKeys(Object.keys(asRecord(file['x-mailplane-env'], 'x-mailplane-env')), 'docker-compose.yml x-mailplane-env');
    // nats-config takes the bus passwords to generate the server's config (checked below).
    for (const name of mailplaneServices.filter((n) => n !== 'nats-config')) {
      assertKnownKeys(Object.keys(composeEnv(service(name), name)), `docker-compose.yml service "${name}"`);
    }
  });

  it('interpolates only config keys (so .env.example documents them) and requires the secrets', () => {
    const { file } = load();
    assertKnownKeys(
      [...interpolatedNames(file)].filter((n) => !COMPOSE_ONLY_SECRETS.includes(n) && !BUS_SECRET_VARS.includes(n)),
      'docker-compose.yml ${...} interpolation',
    );
    const text = readRepoFile('docker-compose.yml');
    for (const secret of Object.keys(DUMMY_SECRETS)) {
      const uses = [...text.matchAll(new RegExp(`\\$\\{${secret}(:?[-?][^}]*)?\\}`, 'g'))].map((m) => m[0]);
      assert.ok(uses.length > 0, `${secret} is never used`);
      for (const use of uses) assert.match(use, /^\$\{[A-Z_]+:\?.+\}$/, `${use}: a secret comes from .env as \${NAME:?message}, never with a default`);
    }
  });

  it('each Mailplane service gets exactly the secrets it uses', () => {
    const { service } = load();
    for (const [name, needed] of Object.entries(SECRETS_NEEDED)) {
      const got = Object.keys(composeEnv(service(name), name)).filter((k) => SECRET_KEYS.includes(k));
      assert.deepEqual(got.sort(), [...needed].sort(), `docker-compose.yml ${name}: secrets`);
    }
    const union = [...new Set(Object.values(MAIL_NODE_SECRETS_NEEDED).flat())].sort();
    assert.deepEqual(
      Object.keys(composeEnv(service('mailnode'), 'mailnode'))
        .filter((k) => SECRET_KEYS.includes(k))
        .sort(),
      union,
      'mailnode: secrets',
    );
  });

  it('JWT_SECRET reaches the gateway only', () => {
    const { service, mailplaneServices } = load();
    const holders = mailplaneServices.filter((name) => 'JWT_SECRET' in composeEnv(service(name), name));
    assert.deepEqual(holders, ['gateway']);
  });

  it('the mail node never gets the read-write database URL: its DATABASE_URL is role mailplane_node', () => {
    const { service } = load();
    const env = composeEnv(service('mailnode'), 'mailnode');
    assert.equal(roleOf(env.DATABASE_URL ?? ''), MAIL_NODE_ROLE);
    const rw = roleOf(composeEnv(service('gateway'), 'gateway').DATABASE_URL);
    assert.notEqual(rw, MAIL_NODE_ROLE);
    for (const [k, v] of Object.entries(env)) {
      if (/^postgres/.test(v)) assert.notEqual(roleOf(v), rw, `mailnode ${k} uses the owner role ${rw}`);
    }
    // migrate gives the role its LOGIN and password, from the same URL.
    assert.equal(composeEnv(service('migrate'), 'migrate').MAIL_NODE_DATABASE_URL, env.DATABASE_URL);
    assert.match(commandText(service('migrate').command), /MAIL_NODE_DATABASE_URL.*ALTER ROLE.*LOGIN PASSWORD/s);
  });

  it('Redis requires a password (requirepass from .env, not argv) and every Redis user authenticates', () => {
    const { service, mailplaneServices } = load();
    const redis = service('redis');
    const redisEnv = composeEnv(redis, 'redis');
    assert.equal(redisEnv.REDISCLI_AUTH, '${REDIS_PASSWORD:?set REDIS_PASSWORD in .env - openssl rand -hex 32}');
    const command = commandText(redis.command);
    assert.match(command, /requirepass.*\$\$REDISCLI_AUTH.*redis-server \/\S+\.conf/, 'requirepass via a config file');
    assert.doesNotMatch(command, /--requirepass/, "the password must not be on redis-server's command line");
    assert.match(healthcheckText(redis, 'redis'), /redis-cli ping/, 'redis-cli authenticates through REDISCLI_AUTH');
    for (const name of mailplaneServices) {
      const url = composeEnv(service(name), name).REDIS_URL;
      if (url === undefined) continue;
      assert.equal(decodeURIComponent(new URL(interpolate(url, name)).password), DUMMY_SECRETS.REDIS_PASSWORD, `${name}: REDIS_URL carries the password`);
    }
  });

  it('has postgres, redis, nats, gateway, the services, the worker and the mail node, each with a healthcheck', () => {
    const { service } = load();
    for (const name of ['postgres', 'redis', 'nats', 'gateway', ...HEALTH_PORT_APPS, 'mailnode']) {
      healthcheckText(service(name), `docker-compose.yml service "${name}"`);
    }
    assert.match(healthcheckText(service('postgres'), 'postgres'), /pg_isready/);
    assert.match(healthcheckText(service('redis'), 'redis'), /redis-cli .*ping/);
    assert.match(healthcheckText(service('gateway'), 'gateway'), /:3000\/health\/live/);
  });

  it('runs NATS with JetStream and monitoring, and checks it through /healthz', () => {
    const { service } = load();
    const nats = service('nats');
    const args = Array.isArray(nats.command) ? nats.command.map(String) : commandText(nats.command).split(/\s+/);
    assert.ok(args.includes('-js') || args.includes('--jetstream'), `nats command lacks -js: ${args.join(' ')}`);
    const monitorFlag = args.findIndex((arg) => arg === '-m' || arg === '--http_port');
    assert.ok(monitorFlag >= 0, 'nats command lacks -m <port>');
    const monitorPort = args[monitorFlag + 1];
    assert.match(healthcheckText(nats, 'nats'), new RegExp(`:${monitorPort}/healthz`));
    // The scratch-based default image has no shell or wget for a healthcheck.
    assert.match(String(nats.image), /^nats:2\.10.*alpine/);
  });

  it('orders startup: migrate after postgres, the apps after migrate, redis and nats', () => {
    const { service } = load();
    dependsOn(service('migrate'), 'postgres', 'service_healthy', 'migrate');
    assert.match(commandText(service('migrate').command), /migrate\.js.*MAILSTACK_DATABASE_URL.*ALTER ROLE.*LOGIN PASSWORD.*first-admin\.seed\.js/s);
    for (const name of ['gateway', ...HEALTH_PORT_APPS, 'mailnode']) {
      dependsOn(service(name), 'migrate', 'service_completed_successfully', name);
      dependsOn(service(name), 'redis', 'service_healthy', name);
      dependsOn(service(name), 'nats', 'service_healthy', name);
    }
  });

  it('gateway env (with dummy secrets) validates against the config schema', () => {
    const { service } = load();
    const env = composeEnv(service('gateway'), 'gateway');
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v, `gateway.${k}`)]));
    const config = assertValidConfig(resolved, 'docker-compose.yml gateway');
    assert.equal(config.NODE_ENV, 'production');
    const published = (service('gateway').ports as unknown[] | undefined)?.map(String) ?? [];
    assert.ok(
      published.some((p) => p.endsWith(`:${config.GATEWAY_PORT}`)),
      `gateway must publish its GATEWAY_PORT ${config.GATEWAY_PORT}; ports: ${published.join(', ')}`,
    );
  });

  it('migrate, the services and the worker env validate too; service health ports match their healthchecks', () => {
    const { service } = load();
    assertValidConfig(
      Object.fromEntries(Object.entries(composeEnv(service('migrate'), 'migrate')).map(([k, v]) => [k, interpolate(v, k)])),
      'docker-compose.yml migrate',
    );
    for (const name of HEALTH_PORT_APPS) {
      const ds = service(name);
      const env = Object.fromEntries(Object.entries(composeEnv(ds, name)).map(([k, v]) => [k, interpolate(v, k)]));
      const config = assertValidConfig(env, `docker-compose.yml ${name}`);
      assert.ok(config.HEALTH_PORT > 0, `${name} needs a non-zero HEALTH_PORT for its healthcheck`);
      assert.match(healthcheckText(ds, name), new RegExp(`:${config.HEALTH_PORT}/health/ready`));
      assert.equal(asRecord(ds.deploy, `${name}.deploy`).replicas, 2, `${name} deploy.replicas`);
    }
  });

  it('each app connects as its own bus user with its own password; only senders get a signing key', () => {
    const { file, service } = load();
    assert.match(String(asRecord(file['x-mailplane-env'], 'x-mailplane-env').BUS_VERIFY_KEYS), /^\$\{BUS_VERIFY_KEYS:\?.+\}$/);
    for (const app of ['gateway', ...HEALTH_PORT_APPS] as BusApp[]) {
      const env = composeEnv(service(app), app);
      assert.equal(env.NATS_USER, app, `${app}: NATS_USER`);
      assert.match(env.NATS_PASSWORD ?? '', new RegExp(`^\\$\\{${natsPasswordEnvOf(app)}:\\?.+\\}$`), `${app}: NATS_PASSWORD from its own variable`);
      if (BUS_SENDERS.includes(app)) {
        assert.match(env.BUS_SIGNING_KEY ?? '', new RegExp(`^\\$\\{${signingKeyEnvOf(app)}:\\?.+\\}$`), `${app}: BUS_SIGNING_KEY from its own variable`);
      } else {
        assert.equal(env.BUS_SIGNING_KEY, undefined, `${app} sends no RPCs: no signing key`);
      }
    }
  });

  it('the bus: nats-config writes the generated users and permissions, nats runs that config', () => {
    const { service } = load();
    const gen = service('nats-config');
    assert.match(commandText(gen.command), /nats-server-config\.cli\.js --out \/etc\/nats\/nats-server\.conf/);
    assert.deepEqual(Object.keys(composeEnv(gen, 'nats-config')).sort(), BUS_APPS.map(natsPasswordEnvOf).sort(), "nats-config gets every app's password");
    const nats = service('nats');
    const args = (nats.command as unknown[]).map(String);
    assert.equal(args[args.indexOf('-c') + 1], '/etc/nats/nats-server.conf', 'nats runs the generated config');
    assert.ok(((nats.volumes as unknown[]) ?? []).map(String).includes('nats-config:/etc/nats:ro'));
    dependsOn(nats, 'nats-config', 'service_completed_successfully', 'nats');
  });

  it('mailnode: each of its apps gets its own bus password (and the worker its key) as a secret file', () => {
    const { file, service } = load();
    const secrets = asRecord(file.secrets, 'docker-compose.yml secrets');
    const mounted = new Map(
      ((service('mailnode').secrets as unknown[]) ?? []).map((m) => {
        const r = asRecord(m, 'mailnode.secrets[]');
        return [String(r.target), String(r.source)];
      }),
    );
    const script = mailnodeFile('/usr/local/bin/mailnode');
    const dir = /^BUS_SECRETS=(\S+)$/m.exec(script)?.[1];
    assert.ok(dir, 'the mailnode entrypoint names its BUS_SECRETS dir');
    assert.match(script, /NATS_USER="\$app"/);
    // policy-service is no bus user: it reads the views and Redis only.
    for (const app of MAIL_NODE_APPS.filter((a): a is BusApp => (BUS_APPS as readonly string[]).includes(a))) {
      const files: [string, string][] = [[`${dir}/${app}.password`, natsPasswordEnvOf(app)]];
      if (BUS_SENDERS.includes(app)) files.push([`${dir}/${app}.signing-key`, signingKeyEnvOf(app)]);
      for (const [target, variable] of files) {
        const source = mounted.get(target);
        assert.ok(source, `mailnode must mount ${target}`);
        assert.equal(asRecord(secrets[source], `secrets.${source}`).environment, variable, `secret ${source} comes from ${variable}`);
      }
    }
  });

  it('mailnode: publishes SMTP/IMAP, mounts the shared paths, checks its four apps on HEALTH_PORT..+3', () => {
    const { service } = load();
    const mailnode = service('mailnode');
    const env = Object.fromEntries(Object.entries(composeEnv(mailnode, 'mailnode')).map(([k, v]) => [k, interpolate(v, k)]));
    const config = assertValidConfig(env, 'docker-compose.yml mailnode');
    const published = ((mailnode.ports as unknown[] | undefined) ?? []).map(String);
    for (const port of MAIL_PORTS) {
      assert.ok(published.includes(`${port}:${port}`), `mailnode must publish ${port}; ports: ${published.join(', ')}`);
    }
    const targets = ((mailnode.volumes as unknown[] | undefined) ?? []).map((v) => String(v).split(':')[1]);
    for (const path of [...MAIL_NODE_SHARED_PATHS, '/var/lib/postfix']) {
      assert.ok(targets.includes(path), `mailnode must keep ${path} in a volume; mounts: ${targets.join(', ')}`);
    }
    assert.ok(config.HEALTH_PORT > 0, 'mailnode needs a non-zero HEALTH_PORT');
    const test = healthcheckText(mailnode, 'mailnode');
    // Ports as the entrypoint assigns them: HEALTH_PORT + index in its APPS list.
    const ports = mailnodeScriptApps().map((_, i) => config.HEALTH_PORT + i);
    assert.match(test, new RegExp(`\\[${ports.join(',\\s*')}\\]`), `mailnode healthcheck must cover ports ${ports.join(', ')}`);
    assert.match(test, /\/health\/ready/);
    assert.match(test, /postfix status/);
    assert.equal(config.MAIL_LOG_FILE, '/var/log/mail.log', 'stats-service reads the log Postfix writes (maillog_file in the image)');
  });
});

// ---------------------------------------------------------------------------------------------
// k8s/
// ---------------------------------------------------------------------------------------------

interface Probe {
  httpGet?: { path?: string; port?: number | string };
  tcpSocket?: { port?: number | string };
  exec?: { command?: string[] };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean };
  shareProcessNamespace?: boolean;
  volumes?: { name: string }[];
}
interface K8sObject {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  /** Shape depends on kind; read defensively and asserted where used. */
  spec?: any;
  data?: Record<string, unknown>;
  stringData?: Record<string, unknown>;
}

const K8S_DIR = 'k8s';

function k8sYamlFiles(): string[] {
  return readdirSync(join(ROOT, K8S_DIR))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
}

function loadK8s(): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const name of k8sYamlFiles()) {
    if (name === 'kustomization.yaml') continue;
    for (const doc of loadYamlDocs(`${K8S_DIR}/${name}`)) {
      const obj = asRecord(doc, `${K8S_DIR}/${name}`);
      assert.ok(typeof obj.kind === 'string' && isRecord(obj.metadata), `${K8S_DIR}/${name}: document without kind/metadata`);
      objects.push({ ...(obj as unknown as Omit<K8sObject, 'file'>), file: `${K8S_DIR}/${name}` });
    }
  }
  return objects;
}

function podSpec(obj: K8sObject): PodSpec {
  const spec = obj.spec?.template?.spec as PodSpec | undefined;
  assert.ok(spec && Array.isArray(spec.containers), `${obj.file} ${obj.kind}/${obj.metadata.name}: no pod template`);
  return spec;
}

function allContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

/** Whether a label selector (matchLabels or a Service's plain map) selects these pod labels. */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** The containerPort a probe / targetPort refers to (by name or number), or undefined. */
function resolvePort(container: Container, port: number | string | undefined): number | undefined {
  const ports = container.ports ?? [];
  if (typeof port === 'number') return ports.some((p) => p.containerPort === port) ? port : undefined;
  return ports.find((p) => p.name === port)?.containerPort;
}

const where = (o: K8sObject) => `${o.file} ${o.kind}/${o.metadata.name}`;

/** HEALTH_PORT is set, declared as a containerPort, and both httpGet probes hit it. */
function assertHealthPortProbes(c: Container, at: string): void {
  const healthPort = Number(c.env?.find((e) => e.name === 'HEALTH_PORT')?.value);
  assert.ok(healthPort > 0, `${at} needs a non-zero HEALTH_PORT in env`);
  assert.equal(c.livenessProbe?.httpGet?.path, '/health/live', `${at} liveness path`);
  assert.equal(c.readinessProbe?.httpGet?.path, '/health/ready', `${at} readiness path`);
  assert.equal(resolvePort(c, c.livenessProbe?.httpGet?.port), healthPort, `${at}: liveness probe port must be HEALTH_PORT`);
  assert.equal(resolvePort(c, c.readinessProbe?.httpGet?.port), healthPort, `${at}: readiness probe port must be HEALTH_PORT`);
}

describe('k8s manifests', () => {
  const load = lazy(() => {
    const objects = loadK8s();
    const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
    const deployments = ofKind('Deployment');
    const workloads = [...deployments, ...ofKind('Job'), ...ofKind('StatefulSet'), ...ofKind('DaemonSet')];
    const configMaps = ofKind('ConfigMap');
    const secrets = ofKind('Secret');
    const deploymentFor = (component: string) => {
      const found = deployments.filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === component);
      assert.equal(found.length, 1, `expected exactly one Deployment with component=${component}`);
      return found[0];
    };
    return { objects, ofKind, deployments, workloads, configMaps, secrets, deploymentFor };
  });

  it('kustomization.yaml lists exactly the YAML files in k8s/', () => {
    const [kustomization] = loadYamlDocs(`${K8S_DIR}/kustomization.yaml`);
    const resources = asRecord(kustomization, 'kustomization.yaml').resources;
    assert.ok(Array.isArray(resources), 'kustomization.yaml has no resources list');
    const expected = k8sYamlFiles().filter((name) => name !== 'kustomization.yaml');
    assert.deepEqual([...resources].map(String).sort(), expected, 'kustomization.yaml resources vs files in k8s/');
  });

  it('kubectl kustomize renders every object (when kubectl is installed)', (t) => {
    const kubectl = findExecutable('kubectl');
    if (!kubectl) return t.skip('kubectl not installed');
    const r = spawnSync(kubectl, ['kustomize', join(ROOT, K8S_DIR)], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `kubectl kustomize: ${r.stderr}`);
    const rendered = parseAllDocuments(r.stdout).map((doc) => doc.toJS() as { kind: string; metadata: { name: string } });
    const names = (list: { kind: string; metadata: { name: string } }[]) => list.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    assert.deepEqual(names(rendered), names(load().objects));
  });

  it('declares the mailplane namespace and puts everything in it', () => {
    const { objects, ofKind } = load();
    assert.deepEqual(
      ofKind('Namespace').map((n) => n.metadata.name),
      ['mailplane'],
    );
    for (const o of objects.filter((o) => o.kind !== 'Namespace')) {
      assert.equal(o.metadata.namespace, 'mailplane', `${where(o)}: namespace`);
    }
  });

  it('sets only env vars known to the config schema (ConfigMaps, Secrets, container env)', () => {
    const { workloads, configMaps, secrets } = load();
    for (const cm of configMaps) assertKnownKeys(Object.keys(cm.data ?? {}), where(cm));
    // mailplane-redis is Redis's own (requirepass), read by no Mailplane container.
    for (const s of secrets.filter((o) => o.metadata.name !== 'mailplane-redis')) {
      assertKnownKeys([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})], where(s));
    }
    for (const w of workloads) {
      for (const c of allContainers(podSpec(w))) {
        assertKnownKeys(
          (c.env ?? []).map((e) => e.name),
          `${where(w)} container ${c.name}`,
        );
      }
    }
  });

  it('has mailplane-config and mailplane-secrets, with placeholder secrets and no key in both', () => {
    const { configMaps, secrets } = load();
    const cm = configMaps.find((o) => o.metadata.name === 'mailplane-config');
    const secret = secrets.find((o) => o.metadata.name === 'mailplane-secrets');
    assert.ok(cm, 'ConfigMap mailplane-config missing');
    assert.ok(secret, 'Secret mailplane-secrets missing');
    const secretData = secret.stringData ?? {};
    for (const key of SECRET_KEYS) {
      assert.match(String(secretData[key] ?? ''), /change-me/, `${where(secret)}: ${key} must be a "change-me" placeholder`);
    }
    const both = Object.keys(cm.data ?? {}).filter((key) => key in secretData || key in (secret.data ?? {}));
    assert.deepEqual(both, [], `keys set in both ConfigMap and Secret (one silently wins): ${both.join(', ')}`);
  });

  /** The secrets a container gets: env name -> Secret key (secretKeyRef), plus whole Secrets via envFrom. */
  const secretsOf = (c: Container) => {
    const env = (c.env ?? []) as { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
    return {
      refs: Object.fromEntries(env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom!.secretKeyRef!.key])),
      whole: (c.envFrom ?? []).filter((r) => r.secretRef).map((r) => r.secretRef!.name),
    };
  };

  it('no container loads a shared Secret whole (only its own bus Secret); each gets exactly the secrets its component uses', () => {
    const { workloads } = load();
    for (const w of workloads) {
      const component = w.metadata.labels?.['app.kubernetes.io/component'] ?? '';
      for (const c of allContainers(podSpec(w))) {
        const at = `${where(w)} container ${c.name}`;
        const { refs, whole } = secretsOf(c);
        // mailplane-bus-<app> holds that one app's bus password (and signing key) and nothing else.
        assert.deepEqual(
          whole.filter((name) => name !== `mailplane-bus-${c.name}`),
          [],
          `${at}: envFrom a shared Secret`,
        );
        const needed = component === 'mailnode' ? MAIL_NODE_SECRETS_NEEDED[c.name] : SECRETS_NEEDED[component];
        assert.ok(needed, `${at}: no secrets table entry`);
        assert.deepEqual(Object.keys(refs).sort(), [...needed].sort(), `${at}: secrets`);
      }
    }
  });

  it('JWT_SECRET reaches the gateway only', () => {
    const { workloads } = load();
    const holders = workloads.flatMap((w) =>
      allContainers(podSpec(w))
        .filter((c) => Object.values(secretsOf(c).refs).includes('JWT_SECRET'))
        .map((c) => `${w.metadata.name}/${c.name}`),
    );
    assert.deepEqual(holders, ['mailplane-gateway/gateway']);
  });

  it('the mail node never gets the read-write DATABASE_URL: its worker reads MAIL_NODE_DATABASE_URL (role mailplane_node)', () => {
    const { ofKind, secrets } = load();
    const [sts] = ofKind('StatefulSet');
    for (const c of allContainers(podSpec(sts))) {
      const { refs } = secretsOf(c);
      assert.ok(!Object.values(refs).includes('DATABASE_URL'), `${c.name} reads the owner's DATABASE_URL`);
      if (refs.DATABASE_URL) assert.equal(refs.DATABASE_URL, 'MAIL_NODE_DATABASE_URL', `${c.name}: DATABASE_URL`);
    }
    const data = secrets.find((o) => o.metadata.name === 'mailplane-secrets')?.stringData ?? {};
    assert.equal(roleOf(String(data.MAIL_NODE_DATABASE_URL)), MAIL_NODE_ROLE);
    assert.notEqual(roleOf(String(data.DATABASE_URL)), MAIL_NODE_ROLE);
  });

  it('Redis with AUTH: REDIS_URL carries a password and lives in the Secret; Redis gets requirepass from a Secret', () => {
    const { configMaps, secrets } = load();
    assert.ok(!configMaps.some((cm) => 'REDIS_URL' in (cm.data ?? {})), 'REDIS_URL holds a password: not in a ConfigMap');
    const data = secrets.find((o) => o.metadata.name === 'mailplane-secrets')?.stringData ?? {};
    assert.match(new URL(String(data.REDIS_URL)).password, /change-me/);
    const redis = secrets.find((o) => o.metadata.name === 'mailplane-redis');
    assert.match(String(redis?.stringData?.['redis-password'] ?? ''), /change-me/, 'Secret mailplane-redis with redis-password');
  });

  it('TRUST_PROXY names a proxy range (the ingress), not everyone', () => {
    const { configMaps } = load();
    const value = String(configMaps.find((o) => o.metadata.name === 'mailplane-config')?.data?.TRUST_PROXY ?? '');
    const ranges = value
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    assert.ok(ranges.length > 0, 'TRUST_PROXY is set');
    for (const r of ranges) assert.doesNotMatch(r, /^(0\.0\.0\.0\/0|::\/0|true)$/, `TRUST_PROXY ${r} trusts every client`);
  });

  it('every envFrom reference names a ConfigMap/Secret defined in k8s/', () => {
    const { workloads, configMaps, secrets } = load();
    const cmNames = new Set(configMaps.map((o) => o.metadata.name));
    const secretNames = new Set(secrets.map((o) => o.metadata.name));
    for (const w of workloads) {
      for (const c of allContainers(podSpec(w))) {
        assert.ok((c.envFrom ?? []).length > 0, `${where(w)} container ${c.name}: no envFrom`);
        for (const ref of c.envFrom ?? []) {
          if (ref.configMapRef) assert.ok(cmNames.has(ref.configMapRef.name), `${where(w)}: unknown ConfigMap ${ref.configMapRef.name}`);
          if (ref.secretRef) assert.ok(secretNames.has(ref.secretRef.name), `${where(w)}: unknown Secret ${ref.secretRef.name}`);
        }
      }
    }
  });

  it('every Deployment container has liveness/readiness probes on a declared port and resource requests', () => {
    const { deployments } = load();
    assert.ok(deployments.length >= 2, 'expected the gateway and domain-service Deployments');
    for (const d of deployments) {
      const spec = podSpec(d);
      assert.equal(spec.securityContext?.runAsNonRoot, true, `${where(d)}: runAsNonRoot`);
      for (const c of spec.containers) {
        const at = `${where(d)} container ${c.name}`;
        for (const probe of ['livenessProbe', 'readinessProbe'] as const) {
          const httpGet = c[probe]?.httpGet;
          assert.ok(httpGet?.path, `${at}: ${probe} missing (or not httpGet)`);
          assert.ok(resolvePort(c, httpGet.port) !== undefined, `${at}: ${probe} port ${httpGet.port} is not a containerPort`);
        }
        assert.ok(c.resources?.requests?.cpu, `${at}: resources.requests.cpu missing`);
        assert.ok(c.resources?.requests?.memory, `${at}: resources.requests.memory missing`);
        assert.ok(c.resources?.limits?.memory, `${at}: resources.limits.memory missing`);
        assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${at}: readOnlyRootFilesystem`);
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${at}: allowPrivilegeEscalation`);
      }
    }
  });

  it('gateway: probes /health/live and /health/ready, listens on GATEWAY_PORT, has a Service 80 -> it', () => {
    const { ofKind, configMaps, deploymentFor } = load();
    const gw = deploymentFor('gateway');
    const [c] = podSpec(gw).containers;
    assert.equal(c.livenessProbe?.httpGet?.path, '/health/live', 'gateway liveness path');
    // Shallow: /health also asks the NATS services, and one service down would unready every gateway.
    assert.equal(c.readinessProbe?.httpGet?.path, '/health/ready', 'gateway readiness path (shallow check)');
    const gatewayPort = Number(configMaps.find((o) => o.metadata.name === 'mailplane-config')?.data?.GATEWAY_PORT ?? 3000);
    assert.equal(resolvePort(c, c.readinessProbe?.httpGet?.port), gatewayPort, 'gateway probes must hit GATEWAY_PORT');
    const podLabels = gw.spec.template.metadata?.labels as Record<string, string>;
    const services = ofKind('Service').filter((s) => selects(s.spec?.selector, podLabels));
    assert.equal(services.length, 1, 'expected one Service selecting the gateway pods');
    const port = (services[0].spec.ports as { port: number; targetPort: number | string }[]).find((p) => p.port === 80);
    assert.ok(port, 'gateway Service has no port 80');
    assert.equal(resolvePort(c, port.targetPort), gatewayPort, 'gateway Service targetPort must reach GATEWAY_PORT');
  });

  for (const name of HEALTH_PORT_APPS) {
    it(`${name}: HEALTH_PORT env matches the probe port, probes /health/live and /health/ready`, () => {
      const { deploymentFor } = load();
      const [c] = podSpec(deploymentFor(name)).containers;
      assert.ok(commandText(c.args).includes(appMain(name)), `${name} Deployment must run ${appMain(name)}`);
      assertHealthPortProbes(c, name);
    });
  }

  it('runs every app under apps/ in some workload', () => {
    const { workloads } = load();
    const commands = workloads.flatMap((w) => podSpec(w).containers.map((c) => commandText([...(c.command ?? []), ...(c.args ?? [])])));
    for (const app of APPS) {
      assert.ok(
        commands.some((cmd) => cmd.includes(appMain(app))),
        `k8s/ runs no container of ${app}`,
      );
    }
  });

  it('every app container is its own bus user with a Secret of its own; only senders hold a signing key', () => {
    const { workloads, secrets, configMaps } = load();
    let seen = 0;
    for (const w of workloads) {
      for (const c of podSpec(w).containers) {
        const app = BUS_APPS.find((a) => commandText(c.args).includes(appMain(a)));
        if (!app) continue;
        seen++;
        const at = `${where(w)} container ${c.name}`;
        assert.equal(c.env?.find((e) => e.name === 'NATS_USER')?.value, app, `${at}: NATS_USER`);
        const secretName = `mailplane-bus-${app}`;
        assert.ok(
          (c.envFrom ?? []).some((r) => r.secretRef?.name === secretName),
          `${at}: envFrom ${secretName}`,
        );
        const secret = secrets.find((o) => o.metadata.name === secretName);
        assert.ok(secret, `Secret ${secretName} missing`);
        const keys = Object.keys(secret.stringData ?? {}).sort();
        assert.deepEqual(keys, BUS_SENDERS.includes(app) ? ['BUS_SIGNING_KEY', 'NATS_PASSWORD'] : ['NATS_PASSWORD'], `${where(secret)} keys`);
        for (const key of keys) assert.match(String(secret.stringData![key]), /change-me/, `${where(secret)}: ${key} placeholder`);
      }
    }
    assert.ok(seen >= BUS_APPS.length, 'every bus app runs in some container');
    const verify = String(configMaps.find((o) => o.metadata.name === 'mailplane-config')?.data?.BUS_VERIFY_KEYS ?? '');
    assert.deepEqual(
      verify
        .split(',')
        .map((e) => e.split('=')[0])
        .sort(),
      [...BUS_SENDERS].sort(),
      'BUS_VERIFY_KEYS names every sender',
    );
  });

  it('mail node: a StatefulSet of daemons + queue-service + stats-service + worker sharing volumes and PIDs', () => {
    const { ofKind } = load();
    const sets = ofKind('StatefulSet');
    assert.equal(sets.length, 1, 'expected one StatefulSet (the mail node)');
    const sts = sets[0];
    const at = where(sts);
    const spec = podSpec(sts);
    assert.equal(sts.spec.replicas, 1, `${at}: one mail node (MAIL_NODE_ID is shared config)`);
    assert.equal(spec.shareProcessNamespace, true, `${at}: the apps signal the daemons (postfix reload)`);
    const [daemons, ...apps] = spec.containers;
    assert.deepEqual(commandText(daemons.args), 'daemons', `${at}: first container runs \`mailnode daemons\``);
    assert.deepEqual(
      apps.map((c) => MAIL_NODE_APPS.find((app) => commandText(c.args).includes(appMain(app)))).sort(),
      [...MAIL_NODE_APPS].sort(),
      `${at}: app containers`,
    );
    const images = new Set(allContainers(spec).map((c) => c.image));
    assert.equal(images.size, 1, `${at}: one image for every container`);
    assert.match(String([...images][0]), /mailnode/, `${at}: the mailnode image`);
    assert.ok(
      (spec.initContainers ?? []).some((c) => commandText(c.args) === 'seed'),
      `${at}: an init container seeds the volumes`,
    );

    // Probes, resources, privileges of every container.
    const baselineCaps = new Set([
      ...['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD'],
      ...['NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'],
    ]);
    for (const c of allContainers(spec)) {
      const cat = `${at} container ${c.name}`;
      assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${cat}: resource requests`);
      assert.ok(c.resources?.limits?.memory, `${cat}: memory limit`);
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${cat}: allowPrivilegeEscalation`);
      assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], `${cat}: drops all capabilities`);
      const extra = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !baselineCaps.has(cap));
      assert.deepEqual(extra, [], `${cat}: capabilities beyond the "baseline" Pod Security level`);
    }
    for (const c of spec.containers) {
      const cat = `${at} container ${c.name}`;
      for (const probe of ['livenessProbe', 'readinessProbe'] as const) {
        const p = c[probe];
        const port = p?.httpGet?.port ?? p?.tcpSocket?.port;
        assert.ok(port !== undefined, `${cat}: ${probe} missing (httpGet or tcpSocket)`);
        assert.ok(resolvePort(c, port) !== undefined, `${cat}: ${probe} port ${port} is not a containerPort`);
      }
    }
    for (const c of apps) assertHealthPortProbes(c, `${at} container ${c.name}`);
    const healthPorts = apps.map((c) => c.env?.find((e) => e.name === 'HEALTH_PORT')?.value);
    assert.equal(new Set(healthPorts).size, apps.length, `${at}: one network namespace, so one HEALTH_PORT per app`);
    assert.deepEqual(
      MAIL_PORTS.map((port) => resolvePort(daemons, port)),
      MAIL_PORTS,
      `${at}: daemons container declares ${MAIL_PORTS.join(', ')}`,
    );

    // Shared volumes: every container mounts each shared path from the same volume (and subPath).
    const claims = (sts.spec.volumeClaimTemplates as { metadata: { name: string } }[] | undefined)?.map((t) => t.metadata.name) ?? [];
    const volumes = new Set([...claims, ...(spec.volumes ?? []).map((v) => v.name)]);
    const mountOf = (c: Container, path: string) => c.volumeMounts?.find((m) => m.mountPath === path);
    for (const path of MAIL_NODE_SHARED_PATHS) {
      const reference = mountOf(daemons, path);
      assert.ok(reference && volumes.has(reference.name), `${at}: ${path} is not mounted from a declared volume`);
      for (const c of allContainers(spec)) {
        const m = mountOf(c, path);
        assert.deepEqual(m && [m.name, m.subPath], [reference.name, reference.subPath], `${at} container ${c.name}: ${path} must be the shared volume`);
      }
    }
    for (const path of ['/var/vmail', '/var/spool/postfix']) {
      assert.ok(claims.includes(mountOf(daemons, path)?.name ?? ''), `${at}: ${path} must be on a volumeClaimTemplate`);
    }
  });

  it('mail node: Services reach SMTP/IMAP, the headless one governs the StatefulSet', () => {
    const { ofKind } = load();
    const [sts] = ofKind('StatefulSet');
    const podLabels = sts.spec.template.metadata?.labels as Record<string, string>;
    const [daemons] = podSpec(sts).containers;
    const services = ofKind('Service').filter((s) => selects(s.spec?.selector, podLabels));
    const headless = services.find((s) => s.metadata.name === sts.spec.serviceName);
    assert.ok(headless, `serviceName ${sts.spec.serviceName} must be a Service selecting the mail node`);
    assert.equal(headless.spec.clusterIP, 'None', 'the governing Service is headless');
    const publicSvc = services.find((s) => s.spec.type === 'LoadBalancer');
    assert.ok(publicSvc, 'a LoadBalancer Service for SMTP/IMAP');
    assert.equal(publicSvc.spec.externalTrafficPolicy, 'Local', 'Postfix must see client IPs');
    const ports = publicSvc.spec.ports as { port: number; targetPort: number | string }[];
    for (const port of MAIL_PORTS) {
      const p = ports.find((x) => x.port === port);
      assert.ok(p, `mail Service lacks port ${port}`);
      assert.equal(resolvePort(daemons, p.targetPort), port, `mail Service port ${port} must reach the daemons container`);
    }
  });

  it('the namespace admits the mail node (baseline) and still warns on anything below restricted', () => {
    const { ofKind } = load();
    const labels = ofKind('Namespace')[0].metadata.labels ?? {};
    assert.equal(labels['pod-security.kubernetes.io/enforce'], 'baseline');
    assert.equal(labels['pod-security.kubernetes.io/warn'], 'restricted');
  });

  it('every Deployment has an autoscaling/v2 HPA and a PodDisruptionBudget', () => {
    const { ofKind, deployments, deploymentFor } = load();
    const hpas = ofKind('HorizontalPodAutoscaler');
    const pdbs = ofKind('PodDisruptionBudget');
    for (const d of deployments) {
      const hpa = hpas.filter((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec?.scaleTargetRef?.name === d.metadata.name);
      assert.equal(hpa.length, 1, `${where(d)}: expected one HPA`);
      assert.equal(hpa[0].apiVersion, 'autoscaling/v2', `${where(hpa[0])}: apiVersion`);
      assert.ok(hpa[0].spec.minReplicas >= 2 && hpa[0].spec.maxReplicas >= hpa[0].spec.minReplicas, `${where(hpa[0])}: replicas range`);
      const podLabels = d.spec.template.metadata?.labels as Record<string, string>;
      const pdb = pdbs.filter((p) => selects(p.spec?.selector?.matchLabels, podLabels));
      assert.equal(pdb.length, 1, `${where(d)}: expected one PodDisruptionBudget`);
      assert.equal(pdb[0].spec.minAvailable, 1, `${where(pdb[0])}: minAvailable`);
    }
    assert.ok(
      hpas.some((h) => h.spec.scaleTargetRef.name === deploymentFor('gateway').metadata.name),
      'gateway HPA',
    );
  });

  it('has a migration Job that runs migrations and the first-admin seed', () => {
    const { ofKind } = load();
    const jobs = ofKind('Job');
    assert.equal(jobs.length, 1, 'expected one Job');
    const [c] = podSpec(jobs[0]).containers;
    assert.match(
      commandText([...(c.command ?? []), ...(c.args ?? [])]),
      /migrate\.js.*MAILSTACK_DATABASE_URL.*ALTER ROLE.*LOGIN PASSWORD.*first-admin\.seed\.js/s,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// .env.example
// ---------------------------------------------------------------------------------------------

describe('.env.example', () => {
  /** `KEY=value` (active) or `# KEY=value` (documented default). */
  const KEY_LINE = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/;
  const load = lazy(() => {
    const lines = readRepoFile('.env.example').split(/\r?\n/);
    const entries = lines.flatMap((line, index) => {
      const m = KEY_LINE.exec(line);
      return m ? [{ key: m[2], value: m[3], commented: m[1] !== undefined, index }] : [];
    });
    return { lines, entries };
  });

  it('sets only env vars known to the config schema', () => {
    const { entries } = load();
    assertKnownKeys(
      entries.map((e) => e.key).filter((k) => !COMPOSE_ONLY_SECRETS.includes(k) && !BUS_SECRET_VARS.includes(k)),
      '.env.example',
    );
    const missing = BUS_SECRET_VARS.filter((v) => !entries.some((e) => e.key === v));
    assert.deepEqual(missing, [], `.env.example must list the bus secrets docker-compose.yml needs: ${missing.join(', ')}`);
  });

  it('lists every CONFIG_KEY exactly once', () => {
    const { entries } = load();
    const missing = CONFIG_KEYS.filter((key) => !entries.some((e) => e.key === key));
    assert.deepEqual(missing, [], `.env.example is missing: ${missing.join(', ')}`);
    const dupes = entries.map((e) => e.key).filter((key, i, all) => all.indexOf(key) !== i);
    assert.deepEqual(dupes, [], `.env.example lists twice: ${dupes.join(', ')}`);
  });

  it('documents each key with a comment line right above it', () => {
    const { lines, entries } = load();
    for (const e of entries) {
      const above = lines[e.index - 1] ?? '';
      assert.ok(above.startsWith('#') && !KEY_LINE.test(above), `.env.example: ${e.key} has no comment line above it`);
    }
  });

  it('shows the schema default for commented-out keys', () => {
    const { entries } = load();
    const defaults = assertValidConfig(SCHEMA_DUMMY_SECRETS, 'schema defaults') as Record<string, unknown>;
    for (const e of entries.filter((e) => e.commented)) {
      if (defaults[e.key] === undefined) continue; // optional without default: value is an example
      assert.equal(e.value, String(defaults[e.key]), `.env.example: ${e.key} default`);
    }
  });

  it('leaves the secrets empty and explains how to generate them', () => {
    const { lines, entries } = load();
    for (const [key, how] of [
      ['JWT_SECRET', '-base64 48'],
      ['MAILPLANE_SECRET_KEY', '-base64 32'],
      ['REDIS_PASSWORD', '-hex 32'],
    ] as const) {
      const entry = entries.find((e) => e.key === key);
      assert.ok(entry && !entry.commented, `.env.example: ${key} must be an active line`);
      assert.equal(entry.value, '', `.env.example must not ship a value for ${key}`);
      const comment = lines.slice(Math.max(0, entry.index - 3), entry.index).join('\n');
      assert.ok(comment.includes(`openssl rand ${how}`), `.env.example: ${key} lacks generation instructions`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Dockerfile
// ---------------------------------------------------------------------------------------------

interface DockerInstruction {
  op: string;
  args: string;
  /** Bodies of the instruction's here-documents (`COPY <<"EOF" /path`, `RUN <<EOF`), in order. */
  heredocs: string[];
}

/** Dockerfile instructions: continuations joined, comment lines dropped, here-document bodies set apart. */
function dockerInstructions(text: string): DockerInstruction[] {
  const lines = text.split(/\r?\n/);
  const out: DockerInstruction[] = [];
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*#/.test(line) || (!current && !line.trim())) continue;
    if (/\\\s*$/.test(line)) {
      current += `${line.replace(/\\\s*$/, '')} `;
      continue;
    }
    current += line;
    const heredocs: string[] = [];
    for (const m of current.matchAll(/<<-?\s*(["']?)([A-Za-z_][A-Za-z0-9_]*)\1/g)) {
      const body: string[] = [];
      while (++i < lines.length && lines[i].trim() !== m[2]) body.push(lines[i]);
      heredocs.push(`${body.join('\n')}\n`);
    }
    const [op, ...rest] = current.trim().split(/\s+/);
    out.push({ op: op.toUpperCase(), args: rest.join(' '), heredocs });
    current = '';
  }
  return out;
}

/** Build stages by name: the FROM's base and the stage's own instructions. */
function dockerStages(instructions: DockerInstruction[]): Map<string, { base: string; body: DockerInstruction[] }> {
  const stages = new Map<string, { base: string; body: DockerInstruction[] }>();
  let body: DockerInstruction[] = [];
  for (const i of instructions) {
    if (i.op === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(i.args);
      body = [];
      stages.set(m?.[2] ?? `#${stages.size}`, { base: m?.[1] ?? '', body });
    } else {
      body.push(i);
    }
  }
  return stages;
}

/** A stage's instructions including those of the stages it is built FROM (nearest last). */
function stageChain(stages: Map<string, { base: string; body: DockerInstruction[] }>, name: string): DockerInstruction[] {
  const stage = stages.get(name);
  assert.ok(stage, `Dockerfile has no stage ${name}`);
  return stages.has(stage.base) ? [...stageChain(stages, stage.base), ...stage.body] : stage.body;
}

/** The here-document a COPY instruction of the mailnode stage writes to `path`. */
function mailnodeFile(path: string): string {
  const stages = dockerStages(dockerInstructions(readRepoFile('Dockerfile')));
  const copy = stages.get('mailnode')?.body.find((i) => i.op === 'COPY' && i.heredocs.length === 1 && i.args.endsWith(` ${path}`));
  assert.ok(copy, `Dockerfile mailnode stage does not write ${path} from a here-document`);
  return copy.heredocs[0];
}

/** The apps the mailnode entrypoint starts in `mailnode all`, in order (HEALTH_PORT + index). */
function mailnodeScriptApps(): string[] {
  const m = /^APPS=\(([^)]*)\)/m.exec(mailnodeFile('/usr/local/bin/mailnode'));
  assert.ok(m, 'the mailnode entrypoint has no APPS=(...) list');
  return m[1].trim().split(/\s+/);
}

/** Keys of an ENV instruction: `ENV A=1 B="x y"` or legacy `ENV A value`. */
function envKeys(args: string): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) return [args.split(/\s+/)[0]];
  return [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=(?:"(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)].map((m) => m[1]);
}

describe('Dockerfile', () => {
  const load = lazy(() => {
    const instructions = dockerInstructions(readRepoFile('Dockerfile'));
    return { instructions, stages: dockerStages(instructions) };
  });

  it('sets only env vars known to the config schema', () => {
    const { instructions } = load();
    const keys = instructions.filter((i) => i.op === 'ENV').flatMap((i) => envKeys(i.args));
    assert.ok(keys.includes('NODE_ENV'), 'Dockerfile should set NODE_ENV');
    assertKnownKeys(keys, 'Dockerfile ENV');
  });

  it('builds deps/build/app/mailnode/runtime on glibc node 24; runtime (the default, last) runs the gateway as node', () => {
    const { instructions, stages } = load();
    assert.deepEqual([...stages.keys()], ['deps', 'build', 'app', 'mailnode', 'runtime']);
    const froms = instructions.filter((i) => i.op === 'FROM').map((i) => i.args);
    const baseRefs = [...froms, ...instructions.filter((i) => i.op === 'ARG').map((i) => i.args)].join('\n');
    assert.match(baseRefs, /node:24-bookworm-slim/);
    assert.doesNotMatch(baseRefs, /alpine/, 'argon2 prebuilds need glibc: no Alpine base');
    const runtime = stages.get('runtime');
    assert.ok(
      runtime?.body.some((i) => i.op === 'USER' && /^(node|1000)(:|$)/.test(i.args)),
      'runtime stage must run as node',
    );
    const chain = stageChain(stages, 'runtime');
    assert.ok(
      chain.some((i) => i.op === 'ENV' && /NODE_ENV=production/.test(i.args)),
      'runtime NODE_ENV=production',
    );
    assert.match(chain.findLast((i) => i.op === 'CMD')?.args ?? '', /dist\/apps\/gateway\/src\/main\.js/);
    assert.match(chain.findLast((i) => i.op === 'ENTRYPOINT')?.args ?? '', /tini/);
  });

  it('mailnode: the app stage plus Postfix, Dovecot and OpenDKIM, installed without starting daemons', () => {
    const { stages } = load();
    const mailnode = stages.get('mailnode');
    assert.equal(mailnode?.base, 'app', 'mailnode builds on the app stage (same compiled apps as runtime)');
    const install = mailnode.body.find((i) => i.op === 'RUN' && /apt-get install/.test(i.args));
    assert.ok(install, 'mailnode installs packages');
    for (const pkg of ['postfix', 'postfix-pgsql', 'dovecot-core', 'dovecot-imapd', 'dovecot-lmtpd', 'dovecot-pgsql', 'opendkim', 'opendkim-tools']) {
      assert.match(install.args, new RegExp(`\\s${pkg}(\\s|$)`), `mailnode must install ${pkg}`);
    }
    assert.match(install.args, /--no-install-recommends/);
    assert.match(install.args, /exit 101.*policy-rc\.d.*apt-get install.*rm -f \/usr\/sbin\/policy-rc\.d/, 'policy-rc.d around the install');
    assert.ok(!mailnode.body.some((i) => i.op === 'USER'), 'mailnode runs as root (daemons bind < 1024 and drop privileges)');
    assert.match(mailnode.body.findLast((i) => i.op === 'ENTRYPOINT')?.args ?? '', /tini.*\/usr\/local\/bin\/mailnode/);
    const exposed = mailnode.body
      .filter((i) => i.op === 'EXPOSE')
      .flatMap((i) => i.args.split(/\s+/))
      .map(Number);
    for (const port of MAIL_PORTS) assert.ok(exposed.includes(port), `mailnode must EXPOSE ${port}`);
  });

  it('mailnode entrypoint: valid bash, modes all|daemons|seed, starts apps that exist', () => {
    const script = mailnodeFile('/usr/local/bin/mailnode');
    const check = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    assert.equal(check.status, 0, `bash -n: ${check.stderr}`);
    for (const mode of ['all', 'daemons', 'seed']) assert.match(script, new RegExp(`^\\s*${mode}\\)`, 'm'), `mode ${mode}`);
    for (const app of mailnodeScriptApps()) assert.ok(APPS.includes(app), `mailnode starts ${app}, which is not under apps/`);
    assert.match(script, /dist\/apps\/\$app\/src\/main\.js/);
    assert.match(script, /HEALTH_PORT=\$\(\(base \+ i\)\)/, 'apps get HEALTH_PORT + index');
  });

  it('mailnode base configuration: paths match the schema defaults; postconf/opendkim/doveconf accept it when installed', (t) => {
    const defaults = assertValidConfig(SCHEMA_DUMMY_SECRETS, 'schema defaults');
    const mainCf = mailnodeFile('/etc/postfix/main.cf');
    const masterCf = mailnodeFile('/etc/postfix/master.cf');
    const dovecotConf = mailnodeFile('/etc/dovecot/dovecot.conf');
    const opendkimConf = mailnodeFile('/etc/opendkim.conf');
    assert.match(mainCf, new RegExp(`^maillog_file = ${defaults.MAIL_LOG_FILE}$`, 'm'), 'Postfix logs where stats-service reads');
    assert.match(mainCf, /^virtual_transport = lmtp:unix:private\/dovecot-lmtp$/m);
    assert.match(dovecotConf, new RegExp(`args = ${defaults.DOVECOT_CONFIG_DIR}/mailplane-sql\\.conf\\.ext`));
    assert.match(opendkimConf, new RegExp(`KeyTable\\s+file:${defaults.OPENDKIM_CONFIG_DIR}/KeyTable`));
    assert.match(opendkimConf, new RegExp(`UserID\\s+${defaults.OPENDKIM_USER}:`));
    for (const port of [25, 587]) assert.match(masterCf, new RegExp(`^${port === 25 ? 'smtp' : 'submission'}\\s+inet\\s`, 'm'));
    for (const port of [143, 993]) assert.match(dovecotConf, new RegExp(`port = ${port}`));

    const dir = mkdtempSync(join(tmpdir(), 'mailnode-conf-'));
    try {
      const checked: string[] = [];
      const postconf = findExecutable('postconf');
      if (postconf) {
        mkdirSync(join(dir, 'postfix'));
        writeFileSync(join(dir, 'postfix', 'main.cf'), mainCf);
        writeFileSync(join(dir, 'postfix', 'master.cf'), masterCf);
        const r = spawnSync(postconf, ['-c', join(dir, 'postfix'), '-n'], { encoding: 'utf8' });
        assert.equal(r.status, 0, `postconf: ${r.stderr}`);
        assert.equal(r.stderr, '', 'postconf warns about the base main.cf');
        const m = spawnSync(postconf, ['-c', join(dir, 'postfix'), '-M'], { encoding: 'utf8' });
        assert.equal(m.stderr, '', 'postconf warns about the base master.cf');
        checked.push('postconf');
      }
      const doveconf = findExecutable('doveconf');
      if (doveconf) {
        // doveconf reads ssl_cert/ssl_key (`<file`) without parsing them: stand-ins do.
        writeFileSync(join(dir, 'stand-in.pem'), 'stand-in\n');
        const conf = dovecotConf.replaceAll(/<\/etc\/postfix\/tls\/mail\.(crt|key)/g, `<${join(dir, 'stand-in.pem')}`);
        writeFileSync(join(dir, 'dovecot.conf'), conf);
        const r = spawnSync(doveconf, ['-n', '-c', join(dir, 'dovecot.conf')], { encoding: 'utf8' });
        assert.equal(r.status, 0, `doveconf: ${r.stderr}`);
        checked.push('doveconf');
      }
      const opendkim = findExecutable('opendkim');
      if (opendkim) {
        writeFileSync(join(dir, 'opendkim.conf'), opendkimConf);
        const r = spawnSync(opendkim, ['-n', '-x', join(dir, 'opendkim.conf')], { encoding: 'utf8' });
        assert.equal(r.status, 0, `opendkim -n: ${r.stderr}`);
        checked.push('opendkim');
      }
      if (checked.length < 3) t.diagnostic(`checked with: ${checked.join(', ') || 'nothing (no mail stack on this host)'}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** An executable in the usual system folders, or null. */
function findExecutable(name: string): string | null {
  for (const dir of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/bin']) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  return null;
}
