/**
 * How an HTTP mutation is named in the audit log (documented on GET /audit-log):
 * - resource = the first path segment after /api/v1, `-` → `_` (`api-keys` → `api_keys`);
 * - action = the route's literal segments joined by `.`, then a verb: POST → `create`,
 *   PUT/PATCH → `update`, DELETE → `delete`;
 * - except a POST whose last segment is a literal after a parameter (`/dkim/{domain}/rotate`) or
 *   a known verb (`login`, `refresh`, `reconcile`, …): that segment is the verb (`dkim.rotate`,
 *   `auth.login`, `queue.items.hold`).
 */
const VERB_FOR: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' };
const ACTION_SEGMENTS = new Set([
  'login',
  'logout',
  'refresh',
  'reconcile',
  'flush',
  'import',
  'preview',
  'rotate',
  'hold',
  'release',
  'requeue',
  'start',
  'stop',
  'restart',
  'reload',
  'confirm',
  'disable',
  'enable',
  'setup',
  'verify',
  '2fa',
  'suspend',
  'resume',
]);

export interface AuditRouteInfo {
  action: string;
  resource: string;
  /** Value of the first route parameter (the object the route addresses), if any. */
  resource_param: string | null;
}

/** `routeUrl` is Fastify's route pattern (`/api/v1/domains/:domain`), `params` its values. */
export function describeRoute(method: string, routeUrl: string, params: Record<string, string> | undefined): AuditRouteInfo {
  const segments = routeUrl
    .replace(/^\/api\/v1\/?/, '')
    .split('/')
    .filter(Boolean);
  const literals = segments.filter((s) => !s.startsWith(':')).map((s) => s.replace(/-/g, '_'));
  const firstParam = segments.find((s) => s.startsWith(':'));
  const resource = literals[0] ?? 'root';
  const last = segments.at(-1) ?? '';
  const lastIsLiteral = last !== '' && !last.startsWith(':');
  const afterParam = lastIsLiteral && segments.slice(0, -1).some((s) => s.startsWith(':'));
  let action: string;
  if (method === 'POST' && lastIsLiteral && literals.length > 1 && (afterParam || ACTION_SEGMENTS.has(last))) {
    action = literals.join('.');
  } else {
    action = [...literals, VERB_FOR[method] ?? method.toLowerCase()].join('.');
  }
  const resource_param = firstParam ? (params?.[firstParam.slice(1)] ?? null) : null;
  return { action, resource, resource_param };
}
