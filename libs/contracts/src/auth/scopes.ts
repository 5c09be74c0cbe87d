/** Scope catalog (docs/architecture.md#api-conventions): `<resource>:read`, `<resource>:write` (write implies read), or `*`. */
export const SCOPE_RESOURCES = [
  'domains',
  'mailboxes',
  'aliases',
  'dkim',
  'tls',
  'dns',
  'config',
  'antispam',
  'queue',
  'stats',
  'services',
  'system',
  'backups',
  'jobs',
  'webhooks',
  'audit',
  'api_keys',
  'accounts',
  'tenants',
] as const;
export type ScopeResource = (typeof SCOPE_RESOURCES)[number];

/** Resources that have nothing to write. */
export const READ_ONLY_RESOURCES: ReadonlySet<ScopeResource> = new Set(['dns', 'stats', 'audit']);

/** Resources only a platform admin may touch at all. */
export const PLATFORM_ONLY_RESOURCES: ReadonlySet<ScopeResource> = new Set(['queue', 'services', 'stats', 'system', 'backups', 'tenants']);

export type Scope = `${ScopeResource}:read` | `${ScopeResource}:write` | '*';
export const WILDCARD_SCOPE = '*';

export const ALL_SCOPES: readonly Scope[] = [
  WILDCARD_SCOPE,
  ...SCOPE_RESOURCES.flatMap((r): Scope[] => (READ_ONLY_RESOURCES.has(r) ? [`${r}:read`] : [`${r}:read`, `${r}:write`])),
];

const SCOPE_SET: ReadonlySet<string> = new Set(ALL_SCOPES);
export function isKnownScope(value: string): value is Scope {
  return SCOPE_SET.has(value);
}

/** True when `granted` allows `required` (`*` allows all; `x:write` allows `x:read`). */
export function scopeSatisfies(granted: readonly string[], required: Scope): boolean {
  if (granted.includes(WILDCARD_SCOPE) || granted.includes(required)) return true;
  if (required.endsWith(':read')) return granted.includes(`${required.slice(0, -5)}:write`);
  return false;
}

/** True when every scope in `wanted` is covered by `granted`. */
export function scopesWithin(granted: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((s) => isKnownScope(s) && (s === WILDCARD_SCOPE ? granted.includes(WILDCARD_SCOPE) : scopeSatisfies(granted, s)));
}

export const ROLES = ['platform_admin', 'tenant_admin', 'domain_admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a role may do at most; a key's scopes are intersected with its creator's role. */
export function roleAllows(role: Role, scope: Scope): boolean {
  if (role === 'platform_admin') return true;
  if (scope === WILDCARD_SCOPE) return false;
  const resource = scope.slice(0, scope.indexOf(':')) as ScopeResource;
  if (PLATFORM_ONLY_RESOURCES.has(resource)) return false;
  if (role === 'domain_admin') return !['tenants', 'accounts', 'webhooks'].includes(resource);
  return true;
}

export const SCOPE_DESCRIPTIONS: Record<ScopeResource, string> = {
  domains: 'Mail domains and their overrides',
  mailboxes: 'Mailboxes, passwords, import/export',
  aliases: 'Aliases and catch-alls',
  dkim: 'DKIM keys',
  tls: 'TLS certificates',
  dns: 'DNS checks (read-only; verify needs dns:read)',
  config: 'Configuration tiers',
  antispam: 'Anti-spam lists and settings',
  queue: 'Postfix queue (platform only)',
  stats: 'Host and mail statistics (platform only, read-only)',
  services: 'Daemon status and control (platform only)',
  system: 'Reconcile and system information (platform only)',
  backups: 'Backups and restore (platform only)',
  jobs: 'Async job status; jobs:write cancels a queued job',
  webhooks: 'Webhooks and deliveries',
  audit: 'Audit log (read-only)',
  api_keys: 'API keys',
  accounts: 'Accounts and delegation',
  tenants: 'Tenants and limits (platform only)',
};
