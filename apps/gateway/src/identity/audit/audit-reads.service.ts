import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { requestIdOf } from '#common';
import type { Principal } from '../../shared/principal.js';
import { asObject } from './audit-state.js';

/** Header carrying a one-time token of an internal read; a client cannot guess a live one. */
export const AUDIT_READ_HEADER = 'x-mailplane-audit-read';
/** Larger bodies are not kept in the audit log (an export, an import report). */
export const MAX_AUDIT_CAPTURE = 64 * 1024;
const INTERNAL_READ = Symbol('mailplane.audit-read');

export function parseJsonObject(payload: unknown): Record<string, unknown> | null {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return null;
  if (payload.length === 0 || payload.length > MAX_AUDIT_CAPTURE) return null;
  try {
    return asObject(JSON.parse(payload.toString()));
  } catch {
    return null;
  }
}

/**
 * Reads an object's state for the audit log through the gateway's own GET route (Fastify inject):
 * the same tenant, allow-list and delegation filtering as any read by this caller, so the log
 * never holds what the caller could not see, and every route with a GET is covered without
 * per-resource code. The read acts as the already authenticated caller (no second credential
 * check) under the route's usual scope and role checks (a write scope implies its read scope), and
 * does not count against the rate limit.
 */
@Injectable()
export class AuditReads {
  private readonly pending = new Map<string, Principal>();

  /** The object at `url` (path + query) as `principal` sees it; null on any non-200 answer. */
  async read(req: FastifyRequest, principal: Principal, url: string): Promise<Record<string, unknown> | null> {
    const res = await this.inject(req, principal, url);
    // A mutation's own query (`?cascade=true`) may be unknown to the GET: then read the bare object.
    if (res.status === 400 && url.includes('?')) return (await this.inject(req, principal, url.slice(0, url.indexOf('?')))).body;
    return res.body;
  }

  /** For AuthGuard: the caller an internal read acts for (the token is single-use). */
  claim(req: FastifyRequest): Principal | null {
    const token = req.headers[AUDIT_READ_HEADER];
    if (typeof token !== 'string') return null;
    const principal = this.pending.get(token);
    if (!principal || req.method !== 'GET') return null;
    this.pending.delete(token);
    (req as FastifyRequest & { [INTERNAL_READ]?: true })[INTERNAL_READ] = true;
    return principal;
  }

  static isInternalRead(req: FastifyRequest): boolean {
    return (req as FastifyRequest & { [INTERNAL_READ]?: true })[INTERNAL_READ] === true;
  }

  private async inject(req: FastifyRequest, principal: Principal, url: string): Promise<{ status: number; body: Record<string, unknown> | null }> {
    const token = randomUUID();
    this.pending.set(token, principal);
    try {
      const res = await req.server.inject({
        method: 'GET',
        url,
        remoteAddress: req.ip,
        headers: { [AUDIT_READ_HEADER]: token, 'x-request-id': requestIdOf(req.raw), 'user-agent': 'mailplane-audit' },
      });
      return { status: res.statusCode, body: res.statusCode === 200 ? parseJsonObject(res.rawPayload) : null };
    } finally {
      this.pending.delete(token);
    }
  }
}
