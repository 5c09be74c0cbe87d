import type { CallerContext } from '../caller-context.js';
import { requirePlatformCaller } from '../auth/platform-caller.js';
import { MailNodeError, MailNodeErrorCode } from './mail-node.errors.js';

/** The mail node's queue, stats, services and system info are platform-only: refused with the mail-node module's code. */
export function requirePlatformMailNodeCaller(ctx: CallerContext, what: string): void {
  requirePlatformCaller(ctx, what, (detail) => new MailNodeError(MailNodeErrorCode.PlatformOnly, 'Forbidden', detail));
}
