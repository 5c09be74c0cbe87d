import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_SCOPES, PLATFORM_ONLY_RESOURCES, roleAllows, type ScopeResource } from '#contracts';
import type { ApiClient, ApiResponse } from '../helpers/api-client.js';
import { securedOperations, type SecuredOp } from '../helpers/openapi-ops.js';
import { TestStack } from '../helpers/stack.js';

type Op = SecuredOp;

const PREFIX = '/api/v1';
const PW = 'Str0ng-Passphrase-Iso!';
/** Tags whose every route is the platform's (tenant callers: 403). */
const PLATFORM_TAGS = new Set(['queue', 'services', 'stats', 'system', 'tenants', 'antispam']);
/** Platform configuration tiers (global, domain defaults, mailbox defaults, anti-spam). */
const PLATFORM_PATH = /^\/api\/v1\/config\//;

/** One domain of tenant A with an object of every domain-bound kind, made by A's tenant admin. */
interface DomainObjects {
  domain: { id: string; name: string };
  mailbox: { id: string; address: string };
  /** Made by the import job below. */
  importedMailbox: string;
  alias: { id: string; source: string };
  dkim: { id: string; selector: string };
  /** The tenant admin's import into this domain. */
  jobId: string;
}

/** Everything tenant A owns, as the API names it. */
interface TenantA {
  tenantId: string;
  email: string;
  /** The tenant admin's own account. */
  adminAccountId: string;
  d1: DomainObjects;
  /** A second domain, not delegated to A's domain_admin. */
  d2: DomainObjects;
  /** A key of the tenant admin. */
  apiKey: { id: string; keyId: string };
  /** A's domain_admin, delegated d1 only. */
  domainAdmin: { id: string; email: string };
  whitelistId: string;
  blacklistId: string;
}

/** What a sweep aims path parameters, bodies and list filters at. */
interface Targets extends Pick<DomainObjects, 'domain' | 'mailbox' | 'alias' | 'dkim'> {
  tenantId: string;
  /** Whether the caller's own tenant is another (then filtering by tenantId must find nothing). */
  foreignTenant: boolean;
  apiKeyIds: string[];
  jobIds: string[];
  accountIds: string[];
  /** Audit actors (e-mail, key id) whose entries the caller must not see. */
  actors: string[];
  whitelistId: string;
  blacklistId: string;
}

/** What a route must answer; undefined = anything but a 5xx. */
type Expected = { status: number; code?: string } | undefined;

/** One caller aiming every route at one set of targets. */
interface Sweep {
  who: string;
  api: ApiClient;
  targets: Targets;
  /** Identifiers that must never appear in an answer, unless the request itself sent them. */
  hidden: string[];
  expect: (op: Op) => Expected;
}

const localPart = (address: string) => address.slice(0, address.indexOf('@'));

/**
 * Path parameter name → the values (both name and id forms) to put there. A parameter missing here
 * fails the suite, so a new route cannot slip past the matrix.
 */
function paramValues(t: Targets, name: string, path: string): string[] | undefined {
  switch (name) {
    case 'domain':
      return [t.domain.name, t.domain.id];
    case 'mailbox':
      return [t.mailbox.address, t.mailbox.id];
    case 'alias':
      return [t.alias.source, t.alias.id];
    case 'queueId':
      return ['3F2A1B4C5D'];
    case 'list':
      return ['whitelist', 'blacklist'];
    case 'name':
      return path.startsWith(`${PREFIX}/services/`) ? ['postfix'] : undefined;
    case 'id':
      if (path.startsWith(`${PREFIX}/api-keys/`)) return t.apiKeyIds;
      if (path.startsWith(`${PREFIX}/jobs/`)) return t.jobIds;
      if (path.startsWith(`${PREFIX}/tenants/`)) return [t.tenantId];
      if (path.startsWith(`${PREFIX}/accounts/`)) return t.accountIds;
      if (path.startsWith(`${PREFIX}/antispam/whitelist/`)) return [t.whitelistId];
      if (path.startsWith(`${PREFIX}/antispam/blacklist/`)) return [t.blacklistId];
      if (path === `${PREFIX}/domains/{domain}/antispam/{list}/{id}`) return [t.whitelistId, t.blacklistId];
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Bodies that pass validation, so a write reaches the lookup (and would change the target were
 * isolation broken). Creates name the target's existing objects, so a leak would show as a 409
 * "already exists" instead of a 404. Writes not listed get `{}`.
 */
function bodyFor(t: Targets, op: Op): unknown {
  const bodies: Record<string, unknown> = {
    [`PATCH ${PREFIX}/domains/{domain}`]: { active: false },
    [`PUT ${PREFIX}/domains/{domain}/overrides`]: { greylisting_enabled: false },
    [`PATCH ${PREFIX}/mailboxes/{mailbox}`]: { active: false, name: 'hijacked' },
    [`PATCH ${PREFIX}/mailboxes/{mailbox}/password`]: { password: 'Hijacked-Passphrase-42!' },
    [`PUT ${PREFIX}/mailboxes/{mailbox}/overrides`]: { max_send_per_day: 1 },
    [`PATCH ${PREFIX}/aliases/{alias}`]: { active: false, destinations: ['thief@remote.example'] },
    [`PATCH ${PREFIX}/api-keys/{id}`]: { name: 'hijacked' },
    [`PATCH ${PREFIX}/accounts/{id}`]: { active: false },
    [`POST ${PREFIX}/antispam/whitelist`]: { entry_type: 'ip', value: '192.0.2.88' },
    [`POST ${PREFIX}/antispam/blacklist`]: { entry_type: 'ip', value: '192.0.2.89' },
    [`POST ${PREFIX}/dkim/{domain}/rotate`]: { algorithm: 'ed25519' },
    [`POST ${PREFIX}/domains/{domain}/antispam/{list}`]: { entry_type: 'ip', value: '192.0.2.90' },
    // Creates without a path parameter that name the target's objects: they must not land there.
    [`POST ${PREFIX}/domains`]: { name: t.domain.name },
    [`POST ${PREFIX}/mailboxes`]: { username: localPart(t.mailbox.address), domain: t.domain.name, password: PW },
    [`POST ${PREFIX}/aliases`]: { source: t.alias.source, destinations: ['thief@remote.example'] },
    [`POST ${PREFIX}/dkim`]: { domain: t.domain.name, selector: t.dkim.selector, algorithm: 'ed25519' },
    [`POST ${PREFIX}/mailboxes/import/preview`]: {
      rows: [
        { address: `intruder2@${t.domain.name}`, password: PW },
        { address: t.mailbox.address, password: PW },
      ],
    },
    [`POST ${PREFIX}/mailboxes/import`]: {
      rows: [
        { address: `intruder3@${t.domain.name}`, password: PW },
        { address: t.mailbox.address, password: PW },
      ],
    },
    [`POST ${PREFIX}/accounts`]: { email: 'iso-intruder@mailplane.test', password: PW, role: 'domain_admin', delegated_domains: [t.domain.name] },
    [`POST ${PREFIX}/api-keys`]: { name: 'intruder', scopes: ['domains:read'], domain_allowlist: [t.domain.name] },
  };
  const key = `${op.method} ${op.path}`;
  if (key in bodies) return bodies[key];
  return ['POST', 'PUT', 'PATCH'].includes(op.method) ? {} : undefined;
}

/** List filters that could name the targets; other query parameters are left alone. */
function queryFilterValues(t: Targets, name: string): string[] {
  const values: Record<string, string[]> = {
    domain: [t.domain.name, t.domain.id],
    domain_id: [t.domain.id],
    tenant_id: t.foreignTenant ? [t.tenantId] : [],
    search: [t.domain.name, localPart(t.mailbox.address), t.dkim.selector],
    actor: t.actors,
    resource_id: [t.domain.name, t.mailbox.address],
  };
  return values[name] ?? [];
}

/** Extra query strings worth trying on a route (the harshest variant of a delete, a named key). */
function queryVariants(t: Targets, op: Op): string[] {
  if (op.path === `${PREFIX}/domains/{domain}` && op.method === 'DELETE') return ['', '?cascade=true'];
  if (op.path === `${PREFIX}/dkim/{domain}`) return ['', `?selector=${t.dkim.selector}`];
  return [''];
}

/** Every URL of an operation, with each combination of its parameters' values. */
function urlsFor(t: Targets, op: Op): string[] {
  let urls = [op.path];
  for (const p of op.params) urls = urls.flatMap((u) => paramValues(t, p, op.path)!.map((v) => u.replace(`{${p}}`, encodeURIComponent(v))));
  return urls.flatMap((u) => queryVariants(t, op).map((q) => u + q));
}

function isPlatform(op: Op): boolean {
  const resource = op.scope?.split(':')[0] as ScopeResource | undefined;
  return op.tags.some((t) => PLATFORM_TAGS.has(t)) || PLATFORM_PATH.test(op.path) || (!!resource && PLATFORM_ONLY_RESOURCES.has(resource));
}

/**
 * Tenant B: a create naming A's objects finds A's domain unknown (404), and so does delegating it to a
 * new account; an import of only such rows queues nothing (400); a domain name is unique platform-wide
 * (409, nothing of A shown). A key whose allow-list names A's domain is not checked: the list only narrows.
 */
const CREATES_IN_A: Record<string, number> = {
  [`POST ${PREFIX}/domains`]: 409,
  [`POST ${PREFIX}/mailboxes`]: 404,
  [`POST ${PREFIX}/aliases`]: 404,
  [`POST ${PREFIX}/dkim`]: 404,
  [`POST ${PREFIX}/mailboxes/import`]: 400,
  [`POST ${PREFIX}/accounts`]: 404,
};

function expectTenantB(op: Op): Expected {
  if (isPlatform(op)) return { status: 403 };
  if (op.params.length) return { status: 404, code: 'NOT_FOUND' };
  if (op.method === 'GET') return { status: 200 };
  const key = `${op.method} ${op.path}`;
  return key in CREATES_IN_A ? { status: CREATES_IN_A[key] } : undefined;
}

/**
 * The routes a domain_admin is refused outright (403 FORBIDDEN; its key, lacking the scope, gets
 * INSUFFICIENT_SCOPE) rather than told "not found". Anything else aimed at D2 or at a tenant object it
 * does not own must be 404 — its tenant admin's keys and jobs included, since those reach domains
 * outside the delegation and it sees only its own — so a new route is held to 404 until decided here.
 */
const DOMAIN_ADMIN_REFUSED = new Set([
  // Which domains exist is the tenant admin's decision. Refused before any lookup, so deleting D2
  // answers exactly like deleting D1 or a domain that does not exist.
  `POST ${PREFIX}/domains`,
  `DELETE ${PREFIX}/domains/{domain}`,
  // Accounts and delegation are the tenant admin's: the role never holds accounts:*, whatever the id,
  // so the answer tells nothing about which accounts exist.
  `GET ${PREFIX}/accounts`,
  `POST ${PREFIX}/accounts`,
  `GET ${PREFIX}/accounts/{id}`,
  `PATCH ${PREFIX}/accounts/{id}`,
  `DELETE ${PREFIX}/accounts/{id}`,
]);

/**
 * A domain_admin's create naming D2: D2 does not exist for it (404), an import of only D2 rows queues
 * nothing (400), a key limited to D2 is beyond its delegation (403, as for a domain that does not exist).
 */
const CREATES_IN_D2: Record<string, number> = {
  [`POST ${PREFIX}/mailboxes`]: 404,
  [`POST ${PREFIX}/aliases`]: 404,
  [`POST ${PREFIX}/dkim`]: 404,
  [`POST ${PREFIX}/mailboxes/import`]: 400,
  [`POST ${PREFIX}/api-keys`]: 403,
};

/**
 * `keyScopes` = the key's scopes when the domain_admin calls with its key, null for its JWT. Platform
 * routes (the tenant itself included) are 403 as for any tenant caller.
 */
function expectDomainAdmin(op: Op, keyScopes: string[] | null): Expected {
  const key = `${op.method} ${op.path}`;
  const held = (s: string) => keyScopes!.includes(s) || keyScopes!.includes(s.replace(/:read$/, ':write'));
  if (keyScopes && op.scope && !held(op.scope)) return { status: 403, code: 'INSUFFICIENT_SCOPE' };
  if (isPlatform(op)) return { status: 403 };
  if (DOMAIN_ADMIN_REFUSED.has(key)) return { status: 403, code: 'FORBIDDEN' };
  if (op.params.length) return { status: 404, code: 'NOT_FOUND' };
  if (op.method === 'GET') return { status: 200 };
  return key in CREATES_IN_D2 ? { status: CREATES_IN_D2[key] } : undefined;
}

/** Identifiers of `hidden` in a response, leaving out those the caller sent itself (an error may echo them). */
const leaked = (res: ApiResponse, sent: string, hidden: string[]): string[] =>
  hidden.filter((v) => !sent.toLowerCase().includes(v.toLowerCase()) && res.text.toLowerCase().includes(v.toLowerCase()));

function checkAnswer(failures: string[], where: string, res: ApiResponse, want: Expected): void {
  if (!want) {
    if (res.status >= 500) failures.push(where);
  } else if (res.status !== want.status || (want.code && res.body?.code !== want.code)) {
    failures.push(`${where}, expected ${want.status} ${want.code ?? ''}`.trim());
  }
}

/** Routes without path parameters: reads first (the caller's own audit trail of the writes would name what it sent). */
async function sweepUnparameterised(s: Sweep, ops: Op[]): Promise<string[]> {
  const failures: string[] = [];
  const noParams = ops.filter((o) => o.params.length === 0);
  for (const op of [...noParams.filter((o) => o.method === 'GET'), ...noParams.filter((o) => o.method !== 'GET')]) {
    const body = bodyFor(s.targets, op);
    const res = await s.api.request(op.method, op.path, body);
    const where = `${s.who}: ${op.method} ${op.path} → ${res.status} ${res.body?.code ?? ''}`;
    const leaks = leaked(res, JSON.stringify(body ?? ''), s.hidden);
    if (leaks.length) failures.push(`${where} shows ${leaks.join(', ')}`);
    checkAnswer(failures, where, res, s.expect(op));
    if (op.path === `${PREFIX}/mailboxes/import/preview`) {
      if (res.body?.summary?.ok !== 0) failures.push(`${where}: a row in the target domain previewed as ok`);
      // An invisible domain's addresses are never claimed as taken: that would tell they exist.
      if (/already used/.test(res.text)) failures.push(`${where}: tells an address of the target domain is taken`);
    }
  }
  return failures;
}

/** Lists the caller may read, filtered by the targets: nothing found (200 empty), unknown (404) or a platform-only filter (403). */
async function sweepFilters(s: Sweep, ops: Op[]): Promise<{ failures: string[]; calls: number }> {
  const failures: string[] = [];
  let calls = 0;
  for (const op of ops.filter((o) => o.method === 'GET' && o.params.length === 0 && s.expect(o)?.status === 200)) {
    for (const name of op.query) {
      for (const value of queryFilterValues(s.targets, name)) {
        const url = `${op.path}?${name}=${encodeURIComponent(value)}`;
        const res = await s.api.get(url);
        calls++;
        const where = `${s.who}: GET ${url} → ${res.status} ${res.body?.code ?? ''}`;
        const leaks = leaked(res, value, s.hidden);
        if (leaks.length) failures.push(`${where} shows ${leaks.join(', ')}`);
        if (![200, 403, 404].includes(res.status)) failures.push(where);
        if (res.status === 200 && Array.isArray(res.body?.data) && res.body.data.length) failures.push(`${where} lists ${res.body.data.length} rows`);
        // A CSV export: its header line and nothing else.
        if (res.status === 200 && /^text\/csv/.test(res.headers.get('content-type') ?? '') && res.text.trim().split('\n').length > 1)
          failures.push(`${where} exports rows`);
      }
    }
  }
  return { failures, calls };
}

/** Every route with path parameters, aimed at the targets. */
async function sweepParameterised(s: Sweep, ops: Op[], methods?: string[]): Promise<{ failures: string[]; calls: number }> {
  const failures: string[] = [];
  let calls = 0;
  for (const op of ops.filter((o) => o.params.length > 0 && (!methods || methods.includes(o.method)))) {
    for (const url of urlsFor(s.targets, op)) {
      const body = bodyFor(s.targets, op);
      const res = await s.api.request(op.method, url, body);
      calls++;
      const where = `${s.who}: ${op.method} ${url} → ${res.status} ${res.body?.code ?? ''}`;
      const leaks = leaked(res, decodeURIComponent(url) + JSON.stringify(body ?? ''), s.hidden);
      if (leaks.length) failures.push(`${where} shows ${leaks.join(', ')}`);
      checkAnswer(failures, where, res, s.expect(op));
    }
  }
  return { failures, calls };
}

/**
 * Generated from the OpenAPI document, like the scope matrix: every authenticated operation is aimed
 * at objects the caller must not reach — by tenant B (a key with every scope a tenant admin may have)
 * at tenant A's, and by A's domain_admin (its login and a key with every scope its role may have) at
 * A's undelegated domain D2 and at A's tenant-level objects. They answer 404 (403 for platform routes
 * and what the role may not do), lists show nothing of them, and their rows stay as they were.
 */
describe('isolation matrix over every OpenAPI operation (e2e)', () => {
  let stack: TestStack;
  let ops: Op[];
  let a: TenantA;
  let bKey: string;
  let aIdentifiers: string[];
  let aToken: string;
  let rowsBefore: unknown;
  let d2RowsBefore: unknown;
  /** The domain_admin's JWT and its key, each with its own key and job in D1 for the positive control. */
  let daCallers: { who: string; api: ApiClient; keyScopes: string[] | null; ownKeyId: string; ownJobId: string }[];
  let d2Identifiers: string[];

  const snapshot = async (tenantId: string, domainId: string) => {
    const rows = async (sql: string, params: unknown[]) =>
      (await stack.db.query<{ j: unknown }>(`SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.id), '[]') AS j FROM (${sql}) t`, params))[0].j;
    return {
      tenant: await rows(`SELECT * FROM tenants WHERE id = $1`, [tenantId]),
      accounts: await rows(`SELECT id, email, role, active, password_hash, ip_allowlist FROM accounts WHERE tenant_id = $1`, [tenantId]),
      delegations: await rows(`SELECT account_id AS id, domain_id FROM account_domains WHERE account_id IN (SELECT id FROM accounts WHERE tenant_id = $1)`, [
        tenantId,
      ]),
      domains: await rows(`SELECT * FROM domains WHERE tenant_id = $1`, [tenantId]),
      // Everything inside the domain, whoever owns it: nothing of another caller may appear there.
      mailboxes: await rows(`SELECT * FROM mailboxes WHERE tenant_id = $1 OR domain_id = $2`, [tenantId, domainId]),
      aliases: await rows(`SELECT * FROM aliases WHERE tenant_id = $1 OR domain_id = $2`, [tenantId, domainId]),
      dkim: await rows(`SELECT * FROM dkim_keys WHERE tenant_id = $1 OR domain_id = $2`, [tenantId, domainId]),
      addresses: await rows(
        `SELECT address AS id, owner_kind, owner_id FROM mail_addresses WHERE address LIKE '%@' || (SELECT name FROM domains WHERE id = $1)`,
        [domainId],
      ),
      domainOverrides: await rows(`SELECT o.domain_id AS id, o.settings FROM domain_overrides o JOIN domains d ON d.id = o.domain_id WHERE d.tenant_id = $1`, [
        tenantId,
      ]),
      mailboxOverrides: await rows(
        `SELECT o.mailbox_id AS id, o.settings FROM mailbox_overrides o JOIN mailboxes m ON m.id = o.mailbox_id WHERE m.tenant_id = $1`,
        [tenantId],
      ),
      // last_used_* is bookkeeping of the owner's own requests, not something another caller could change.
      apiKeys: await rows(`SELECT id, key_id, secret_sha256, name, scopes, domain_allowlist, expires_at, revoked_at FROM api_keys WHERE tenant_id = $1`, [
        tenantId,
      ]),
      jobs: await rows(`SELECT id, state, result FROM jobs WHERE tenant_id = $1`, [tenantId]),
      antispam: await rows(`SELECT * FROM antispam_entries`, []),
    };
  };

  const ok = (res: ApiResponse, status: number, what: string) => {
    assert.equal(res.status, status, `${what}: ${res.text}`);
    return res.body;
  };

  /** Waits for every queued or running job to end, so the rows compared are final. */
  const jobsSettled = async () => {
    for (let i = 0; i < 300; i++) {
      const [r] = await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM jobs WHERE state IN ('queued', 'active')`);
      if (Number(r.n) === 0) return;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.fail('jobs still running after 30 s');
  };

  /** A mailbox import of one row; the job's id. */
  const startImport = async (api: ApiClient, address: string) =>
    ok(await api.post(`${PREFIX}/mailboxes/import`, { rows: [{ address, password: PW }] }), 202, `import ${address}`).job.id as string;

  /** A domain and one object of every domain-bound kind in it, made through the API. */
  const domainObjects = async (
    api: ApiClient,
    name: string,
    n: { mailbox: string; alias: string; selector: string; imported: string; destinations: string[] },
  ): Promise<DomainObjects> => {
    const domain = ok(await api.post(`${PREFIX}/domains`, { name }), 201, 'domain');
    const mailbox = ok(await api.post(`${PREFIX}/mailboxes`, { username: n.mailbox, domain: domain.name, password: PW }), 201, 'mailbox');
    const alias = ok(
      await api.post(`${PREFIX}/aliases`, { source: `${n.alias}@${domain.name}`, destinations: [mailbox.address, ...n.destinations] }),
      201,
      'alias',
    );
    const dkim = ok(await api.post(`${PREFIX}/dkim`, { domain: domain.name, selector: n.selector, algorithm: 'ed25519' }), 201, 'dkim');
    ok(await api.request('PUT', `${PREFIX}/domains/${domain.name}/overrides`, { greylisting_enabled: true }), 200, 'domain overrides');
    ok(await api.request('PUT', `${PREFIX}/mailboxes/${mailbox.address}/overrides`, { max_send_per_day: 20 }), 200, 'mailbox overrides');
    const importedMailbox = `${n.imported}@${domain.name}`;
    return {
      domain: { id: domain.id, name: domain.name },
      mailbox: { id: mailbox.id, address: mailbox.address },
      importedMailbox,
      alias: { id: alias.id, source: alias.source },
      dkim: { id: dkim.id, selector: dkim.selector },
      jobId: await startImport(api, importedMailbox),
    };
  };

  const domainIdentifiers = (d: DomainObjects) => [
    d.domain.id,
    d.domain.name,
    d.mailbox.id,
    d.mailbox.address,
    d.importedMailbox,
    d.alias.id,
    d.alias.source,
    d.dkim.id,
    d.jobId,
  ];

  before(async () => {
    stack = await TestStack.start('isolation');
    ops = await securedOperations(stack.api());

    // Tenant A: two domains with one object of every kind each, made through the API.
    const ta = await stack.tenantAdmin('iso-a');
    const apiA = stack.api(ta.token);
    const d1 = await domainObjects(apiA, 'iso-a-domain.example', {
      mailbox: 'alice',
      alias: 'sales',
      selector: 'isoa',
      imported: 'imported',
      destinations: [],
    });
    // D2's alias also forwards to D1's mailbox: nothing about D1's mailbox may tell of it.
    const d2 = await domainObjects(apiA, 'iso-a-second.example', {
      mailbox: 'dora',
      alias: 'd2sales',
      selector: 'isod2',
      imported: 'd2imported',
      destinations: [d1.mailbox.address],
    });
    const key = ok(await apiA.post(`${PREFIX}/api-keys`, { name: 'iso-a probe', scopes: ['domains:read'] }), 201, 'api key');
    const domainAdmin = ok(
      await apiA.post(`${PREFIX}/accounts`, {
        email: 'iso-a-domadmin@mailplane.test',
        password: PW,
        role: 'domain_admin',
        delegated_domains: [d1.domain.name],
      }),
      201,
      'account',
    );
    // The platform's own objects for the platform-only routes.
    const admin = stack.api(stack.admin.apiKey);
    const white = ok(await admin.post(`${PREFIX}/antispam/whitelist`, { entry_type: 'domain', value: 'friendly-iso.example' }), 201, 'whitelist');
    const black = ok(await admin.post(`${PREFIX}/antispam/blacklist`, { entry_type: 'ip', value: '192.0.2.77' }), 201, 'blacklist');
    a = {
      tenantId: ta.tenantId,
      email: ta.email,
      adminAccountId: ok(await apiA.get(`${PREFIX}/auth/me`), 200, 'me').account_id,
      d1,
      d2,
      apiKey: { id: key.id, keyId: key.key_id },
      domainAdmin: { id: domainAdmin.id, email: domainAdmin.email },
      whitelistId: white.id,
      blacklistId: black.id,
    };
    assert.match(a.apiKey.keyId, /^[0-9a-f]{8,}$/);
    aIdentifiers = [
      a.tenantId,
      a.email,
      a.adminAccountId,
      ...domainIdentifiers(d1),
      ...domainIdentifiers(d2),
      a.apiKey.id,
      a.apiKey.keyId,
      a.domainAdmin.id,
      a.domainAdmin.email,
    ];

    // A's domain_admin: its login, and a key with every scope its role may have (within its delegation).
    const login = ok(await stack.api().post(`${PREFIX}/auth/login`, { email: a.domainAdmin.email, password: PW }), 200, 'domain_admin login');
    const daJwt = stack.api(login.access_token);
    const daScopes = ALL_SCOPES.filter((s) => roleAllows('domain_admin', s));
    const dk = ok(
      await daJwt.post(`${PREFIX}/api-keys`, { name: 'iso-a domadmin all scopes', scopes: daScopes, domain_allowlist: [d1.domain.name] }),
      201,
      'domain_admin key',
    );
    assert.deepEqual([...dk.scopes].sort(), [...daScopes].sort());
    assert.ok(!daScopes.some((s) => s.startsWith('accounts:')), 'the role holds no accounts scope');
    const daKey = stack.api(dk.key);
    // Each credential sees only the jobs it started: one of its own in D1 for the positive control.
    daCallers = [
      { who: 'domain_admin JWT', api: daJwt, keyScopes: null, ownKeyId: dk.id, ownJobId: await startImport(daJwt, `dajwt@${d1.domain.name}`) },
      { who: 'domain_admin key', api: daKey, keyScopes: daScopes, ownKeyId: dk.id, ownJobId: await startImport(daKey, `dakey@${d1.domain.name}`) },
    ];
    d2Identifiers = [...domainIdentifiers(d2), d1.jobId, a.apiKey.id, a.apiKey.keyId, a.email, a.adminAccountId];

    // The imports settle before the sweeps, so the rows compared later are final.
    await jobsSettled();
    const states = await stack.db.query<{ state: string }>(`SELECT state FROM jobs WHERE id = ANY($1)`, [
      [d1.jobId, d2.jobId, ...daCallers.map((c) => c.ownJobId)],
    ]);
    assert.deepEqual(
      states.map((s) => s.state),
      ['completed', 'completed', 'completed', 'completed'],
    );

    aToken = ta.token;
    rowsBefore = await snapshot(a.tenantId, a.d1.domain.id);
    d2RowsBefore = await snapshot(a.tenantId, a.d2.domain.id);

    // Tenant B: a key with every scope its role permits.
    const tb = await stack.tenantAdmin('iso-b');
    const scopes = ALL_SCOPES.filter((s) => roleAllows('tenant_admin', s));
    const bk = await stack.api(tb.token).post(`${PREFIX}/api-keys`, { name: 'iso-b all scopes', scopes });
    assert.equal(bk.status, 201, bk.text);
    assert.deepEqual([...bk.body.scopes].sort(), [...scopes].sort());
    bKey = bk.body.key;
  });
  after(async () => {
    await stack?.stop();
  });

  const tenantB = (): Sweep => ({
    who: 'tenant B',
    api: stack.api(bKey),
    targets: {
      ...a.d1,
      tenantId: a.tenantId,
      foreignTenant: true,
      apiKeyIds: [a.apiKey.id],
      jobIds: [a.d1.jobId, a.d2.jobId],
      accountIds: [a.domainAdmin.id, a.adminAccountId],
      actors: [a.email, a.apiKey.id],
      whitelistId: a.whitelistId,
      blacklistId: a.blacklistId,
    },
    hidden: aIdentifiers,
    expect: expectTenantB,
  });

  /** The domain_admin's callers aimed at D2 and at the tenant objects it does not own. */
  const domainAdminAtD2 = (): Sweep[] =>
    daCallers.map((c) => ({
      who: c.who,
      api: c.api,
      targets: {
        ...a.d2,
        tenantId: a.tenantId,
        foreignTenant: false,
        apiKeyIds: [a.apiKey.id],
        jobIds: [a.d1.jobId, a.d2.jobId],
        accountIds: [a.adminAccountId],
        actors: [a.email, a.apiKey.id],
        whitelistId: a.whitelistId,
        blacklistId: a.blacklistId,
      },
      hidden: d2Identifiers,
      expect: (op) => expectDomainAdmin(op, c.keyScopes),
    }));

  it('has a value for every path parameter of every authenticated route', () => {
    assert.ok(ops.length >= 50, `only ${ops.length} authenticated operations found`);
    const t = tenantB().targets;
    const missing = ops.flatMap((op) => op.params.filter((p) => !paramValues(t, p, op.path)?.length).map((p) => `{${p}} in ${op.method} ${op.path}`));
    assert.deepEqual(missing, [], 'add these path parameters to the isolation matrix');
  });

  it('tenant B: list routes 200 without A, platform routes 403 (before anything else)', async () => {
    assert.deepEqual(await sweepUnparameterised(tenantB(), ops), []);
  });

  it('tenant B: list filters naming A’s domain, tenant or account show nothing of A', async () => {
    const { failures, calls } = await sweepFilters(tenantB(), ops);
    assert.ok(calls >= 10, `only ${calls} filtered calls made`);
    assert.deepEqual(failures, []);
  });

  it('tenant B: every route aimed at A’s objects is 404 (tenant) or 403 (platform), and shows nothing of A', async () => {
    const { failures, calls } = await sweepParameterised(tenantB(), ops);
    assert.ok(calls >= 60, `only ${calls} calls made`);
    assert.deepEqual(failures, []);
  });

  it('after the sweep A’s objects are all there and unchanged, and A still sees them', async () => {
    // B's import naming A's domain would run in the worker: let it end before comparing rows.
    await jobsSettled();
    const bJobs = await stack.api(bKey).get(`${PREFIX}/jobs`);
    assert.equal(bJobs.status, 200);
    for (const job of bJobs.body.data) {
      assert.ok(['completed', 'failed'].includes(job.state), JSON.stringify(job));
      assert.doesNotMatch(JSON.stringify(job.result), /"status":"(created|exists)"/, 'B’s import created nothing');
    }
    assert.deepEqual(leaked(bJobs, `${a.d1.domain.name} ${a.d1.mailbox.address}`, aIdentifiers), []);
    assert.deepEqual(await snapshot(a.tenantId, a.d1.domain.id), rowsBefore);
  });

  it('B’s own audit trail of the sweep names only what B sent, never what it resolved to in A', async () => {
    const entries: { tenant_id: string; path: string; method: string }[] = [];
    for (let page = 1; ; page++) {
      const res = await stack.api(bKey).get(`${PREFIX}/audit-log?limit=100&page=${page}`);
      assert.equal(res.status, 200, res.text);
      entries.push(...res.body.data);
      if (res.body.data.length < 100) break;
    }
    assert.ok(entries.length >= 50, `only ${entries.length} audit entries`);
    const bTenant = entries[0].tenant_id;
    assert.notEqual(bTenant, a.tenantId);
    const failures: string[] = [];
    for (const e of entries) {
      if (e.tenant_id !== bTenant) failures.push(`entry of tenant ${e.tenant_id}`);
      // Bodies B sent named A's domain, mailbox, alias and DKIM selector; anything else must come from B's own path.
      const sent = `${decodeURIComponent(e.path)} ${a.d1.domain.name} ${a.d1.mailbox.address} ${a.d1.alias.source}`;
      const leaks = aIdentifiers.filter((v) => !sent.includes(v) && JSON.stringify(e).toLowerCase().includes(v.toLowerCase()));
      if (leaks.length) failures.push(`${e.method} ${e.path} audit entry shows A's ${leaks.join(', ')}`);
    }
    assert.deepEqual(failures, []);
    const apiA = stack.api(aToken);
    assert.equal((await apiA.get(`${PREFIX}/domains/${a.d1.domain.id}`)).body.active, true);
    const mb = (await apiA.get(`${PREFIX}/mailboxes/${a.d1.mailbox.id}`)).body;
    assert.deepEqual([mb.address, mb.active], [a.d1.mailbox.address, true]);
    assert.deepEqual((await apiA.get(`${PREFIX}/aliases/${a.d1.alias.id}`)).body.destinations, [a.d1.mailbox.address]);
    assert.equal((await apiA.get(`${PREFIX}/dkim/${a.d1.domain.name}?selector=${a.d1.dkim.selector}`)).body.id, a.d1.dkim.id);
    assert.equal((await apiA.get(`${PREFIX}/api-keys/${a.apiKey.id}`)).body.name, 'iso-a probe');
    assert.deepEqual((await apiA.get(`${PREFIX}/domains/${a.d1.domain.name}/overrides`)).body, { greylisting_enabled: true });
  });

  it('domain_admin (JWT and key): list routes 200 without D2, refused and platform routes 403 (before anything else)', async () => {
    const failures: string[] = [];
    for (const s of domainAdminAtD2()) failures.push(...(await sweepUnparameterised(s, ops)));
    assert.deepEqual(failures, []);
  });

  it('domain_admin (JWT and key): list filters naming D2 or the tenant admin show nothing', async () => {
    const failures: string[] = [];
    for (const s of domainAdminAtD2()) {
      const r = await sweepFilters(s, ops);
      assert.ok(r.calls >= 10, `${s.who}: only ${r.calls} filtered calls made`);
      failures.push(...r.failures);
    }
    assert.deepEqual(failures, []);
  });

  it('domain_admin (JWT and key): every route aimed at D2 or at tenant objects it does not own is 404 (403 where refused), and shows nothing of them', async () => {
    const failures: string[] = [];
    for (const s of domainAdminAtD2()) {
      const r = await sweepParameterised(s, ops);
      assert.ok(r.calls >= 60, `${s.who}: only ${r.calls} calls made`);
      failures.push(...r.failures);
    }
    assert.deepEqual(failures, []);
  });

  it('domain_admin positive control: the same reads aimed at D1, its own key and its own job answer 200; its lists show D1', async () => {
    const failures: string[] = [];
    for (const [i, s] of domainAdminAtD2().entries()) {
      const c = daCallers[i];
      // Same expectations, mirrored: where D2 is "not found", D1 is found; refusals stay refusals.
      const atD1: Sweep = {
        ...s,
        who: `${s.who} at D1`,
        targets: { ...s.targets, ...a.d1, apiKeyIds: [c.ownKeyId], jobIds: [c.ownJobId], accountIds: [a.domainAdmin.id] },
        expect: (op) => {
          const e = s.expect(op);
          return e?.status === 404 ? { status: 200 } : e;
        },
      };
      const r = await sweepParameterised(atD1, ops, ['GET']);
      assert.ok(r.calls >= 15, `${atD1.who}: only ${r.calls} calls made`);
      failures.push(...r.failures);

      // The lists are not empty: they show D1 and what the caller owns.
      const shows = async (path: string, ...values: string[]) => {
        const res = await s.api.get(path);
        const missing = values.filter((v) => !res.text.includes(v));
        if (res.status !== 200 || missing.length) failures.push(`${s.who}: GET ${path} → ${res.status}, missing ${missing.join(', ')}`);
        return res;
      };
      const domains = await shows(`${PREFIX}/domains`, a.d1.domain.name);
      assert.deepEqual(
        domains.body.data.map((d: { name: string }) => d.name),
        [a.d1.domain.name],
      );
      await shows(`${PREFIX}/mailboxes`, a.d1.mailbox.address, a.d1.importedMailbox);
      await shows(`${PREFIX}/mailboxes?domain=${a.d1.domain.name}`, a.d1.mailbox.address);
      await shows(`${PREFIX}/mailboxes/export`, a.d1.mailbox.address);
      await shows(`${PREFIX}/aliases`, a.d1.alias.source);
      await shows(`${PREFIX}/dkim`, a.d1.dkim.id);
      await shows(`${PREFIX}/jobs`, c.ownJobId);
      await shows(`${PREFIX}/api-keys`, c.ownKeyId);
      await shows(`${PREFIX}/auth/me`, a.domainAdmin.id, a.d1.domain.name);
      const audit = await shows(`${PREFIX}/audit-log?limit=5`, a.domainAdmin.id);
      if (!audit.body?.data?.length) failures.push(`${s.who}: its own audit entries are not listed`);
    }
    assert.deepEqual(failures, []);
  });

  it('after the domain_admin sweep D2 and the tenant’s objects are all there and unchanged', async () => {
    // An import naming D2 would run in the worker: let it end before comparing rows.
    await jobsSettled();
    assert.deepEqual(await snapshot(a.tenantId, a.d2.domain.id), d2RowsBefore);
    const apiA = stack.api(aToken);
    const mb = (await apiA.get(`${PREFIX}/mailboxes/${a.d2.mailbox.id}`)).body;
    assert.deepEqual([mb.address, mb.active], [a.d2.mailbox.address, true]);
    assert.deepEqual((await apiA.get(`${PREFIX}/aliases/${a.d2.alias.id}`)).body.destinations, [a.d2.mailbox.address, a.d1.mailbox.address]);
    assert.equal((await apiA.get(`${PREFIX}/dkim/${a.d2.domain.name}?selector=${a.d2.dkim.selector}`)).body.id, a.d2.dkim.id);
    assert.deepEqual((await apiA.get(`${PREFIX}/domains/${a.d2.domain.name}/overrides`)).body, { greylisting_enabled: true });
  });
});
