import type { CallerContext } from '#contracts';

/**
 * Platform-only resources (docs/architecture.md#api-conventions): the caller must be a platform admin (no tenant) with a key
 * not limited to some domains, since these settings act on every domain.
 */
export function isPlatformCaller(ctx: CallerContext): boolean {
  return ctx.tenant_id === null && ctx.domain_allowlist === null;
}
