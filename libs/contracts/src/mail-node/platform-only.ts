import type { CallerContext } from '../caller-context.js';
import { MailNodeError, MailNodeErrorCode } from './mail-node.errors.js';

/**
 * The mail node's queue, stats, services and system info are platform-only (docs/architecture.md#api-conventions): a platform
 * admin (no tenant) with a key not limited to some domains. The gateway checks the role first; the
 * services check again since the gateway is not the only possible caller.
 */
export function requirePlatformCaller(ctx: CallerContext, what: string): void {
  if (ctx.tenant_id !== null || ctx.domain_allowlist !== null) {
    throw new MailNodeError(MailNodeErrorCode.PlatformOnly, 'Forbidden', `${what} is platform-only: only a platform admin (with no domain allow-list) may use it.`);
  }
}
