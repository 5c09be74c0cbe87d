import type { CallerContext } from '../caller-context.js';
import type { AppError } from '../errors/app-error.js';

/**
 * A platform admin (no tenant) whose key is not limited to some domains: the only caller of the
 * platform-only resources (mail-node queue/stats/services, the singleton config tiers, anti-spam).
 * The gateway checks the role first; services check again since the gateway is not the only caller.
 */
export function isPlatformCaller(ctx: CallerContext): boolean {
  return ctx.tenant_id === null && ctx.domain_allowlist === null;
}

/**
 * Throws the module's own error (made by `refuse` with a standard detail about `what`) unless the
 * caller is a platform admin. `what` reads as the subject of "… is platform-only", e.g. "Host statistics".
 */
export function requirePlatformCaller(ctx: CallerContext, what: string, refuse: (detail: string) => AppError): void {
  if (!isPlatformCaller(ctx)) throw refuse(`${what} is platform-only: only a platform admin (with no domain allow-list) may use it.`);
}
