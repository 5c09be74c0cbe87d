import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../shared/principal.js';

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const AUDIT_STATE = Symbol('mailplane.audit');

/** What the interceptor and the Fastify hooks collect about one audited request. */
export interface AuditState {
  /** The object as the caller could read it before the change (null: none or not readable). */
  before?: unknown;
  /** The object read back after a successful action whose response is not the object itself. */
  after?: unknown;
  /** The parsed response body. */
  response?: unknown;
}
export type AuditedRequest = FastifyRequest & { principal?: Principal; [AUDIT_STATE]?: AuditState };

/** POST/PUT/PATCH/DELETE under /api/v1 (an unmatched URL has no routeOptions.url and is not audited). */
export function isAudited(req: FastifyRequest): boolean {
  return MUTATIONS.has(req.method) && req.routeOptions.url !== undefined && req.routeOptions.url.startsWith('/api/v1/');
}

export function asObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function auditState(req: FastifyRequest): AuditState {
  const r = req as AuditedRequest;
  return (r[AUDIT_STATE] ??= {});
}

/** Larger bodies are not kept in the audit log (an export, an import report). */
export const MAX_AUDIT_CAPTURE = 64 * 1024;

export function parseJsonObject(payload: unknown): Record<string, unknown> | null {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return null;
  if (payload.length === 0 || payload.length > MAX_AUDIT_CAPTURE) return null;
  try {
    return asObject(JSON.parse(payload.toString()));
  } catch {
    return null;
  }
}
