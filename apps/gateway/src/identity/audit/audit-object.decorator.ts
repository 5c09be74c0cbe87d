import { SetMetadata } from '@nestjs/common';
import type { Principal } from '../../shared/principal.js';

/** What a state reader gets: the caller and the request's own parameters. */
export interface AuditReadArgs {
  principal: Principal;
  requestId: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
}

export interface AuditObjectOptions {
  /**
   * The handler's response is the object's new state (PATCH/PUT of the object itself): no read
   * after. Default: true for PATCH and PUT, false otherwise (actions, deletes read it back).
   */
  responseIsState?: boolean;
}

export interface AuditObjectMeta<C = unknown> extends AuditObjectOptions {
  read: (controller: C, args: AuditReadArgs) => Promise<unknown>;
}

export const AUDIT_OBJECT = Symbol('mailplane.audit-object');

/**
 * Names how the audit log reads the object a write changes: through the controller's own GET
 * handler, i.e. the same RPC (or identity service call) as the GET route, as the same caller, so
 * the log never holds what the caller could not read. Routes without it record no before/after.
 */
export function AuditObject<C>(read: (controller: C, args: AuditReadArgs) => Promise<unknown>, options: AuditObjectOptions = {}): MethodDecorator {
  return SetMetadata(AUDIT_OBJECT, { ...options, read } satisfies AuditObjectMeta<C>);
}
