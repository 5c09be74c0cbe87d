import type { ApiClient } from './api-client.js';

interface Operation {
  security?: object[];
  tags?: string[];
  parameters?: { name: string; in: string }[];
  'x-required-scope'?: string | null;
}

/** One authenticated operation of the OpenAPI document, as the generated matrices walk them. */
export interface SecuredOp {
  method: string;
  path: string;
  tags: string[];
  scope: string | null;
  /** Path parameter names, in order. */
  params: string[];
  /** Query parameter names. */
  query: string[];
}

/** Every operation with a security requirement, read from the running gateway's /api/openapi.json. */
export async function securedOperations(api: ApiClient): Promise<SecuredOp[]> {
  const spec = (await api.get('/api/openapi.json')).body as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(spec.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, op]) => (op.security ?? []).length > 0)
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        tags: op.tags ?? [],
        scope: op['x-required-scope'] ?? null,
        params: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      })),
  );
}
