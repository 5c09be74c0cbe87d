import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestIdOf } from '#common';
import { describeRoute } from './audit-action.js';
import { asObject, AUDIT_STATE, auditState, isAudited, parseJsonObject, type AuditedRequest } from './audit-state.js';
import type { AuditRecord, AuditRepository } from './audit.repository.js';
import { redact } from './redaction.js';

interface Logger {
  error(message: string): void;
}

/** Builds the entry from what the request, the guard and the response left behind. */
export function buildAuditRecord(req: AuditedRequest, reply: FastifyReply): AuditRecord {
  const route = describeRoute(req.method, req.routeOptions.url ?? req.url, req.params as Record<string, string> | undefined);
  const state = req[AUDIT_STATE] ?? {};
  const response = asObject(state.response);
  const ok = reply.statusCode < 400;
  const body = asObject(req.body);
  const p = req.principal;
  const loginEmail = !p && route.action.startsWith('auth.') && typeof body?.email === 'string' ? body.email.slice(0, 320) : null;
  const before = ok ? asObject(state.before) : null;
  // An action's response is not the object (a rotate, a hold, a delete): its state was read back.
  const after = !ok ? null : state.after !== undefined ? asObject(state.after) : req.method === 'DELETE' ? null : response;
  const objectId = ok ? [response?.id, before?.id].find((v): v is string => typeof v === 'string') : undefined;
  const ua = req.headers['user-agent'];
  return {
    tenant_id: p?.tenant_id ?? null,
    actor_type: p ? p.kind : 'anonymous',
    actor_account_id: p?.account_id ?? null,
    actor_email: p?.email ?? loginEmail,
    actor_key_id: p?.api_key_id ?? null,
    ip: req.ip,
    user_agent: typeof ua === 'string' ? ua.slice(0, 512) : null,
    method: req.method,
    path: req.url.split('?')[0].slice(0, 2048),
    action: route.action,
    resource: route.resource,
    resource_id: objectId ?? route.resource_param,
    status: reply.statusCode,
    error_code: !ok && typeof response?.code === 'string' ? response.code : null,
    request_id: requestIdOf(req.raw) ?? null,
    changes: req.method === 'DELETE' || req.body === undefined ? null : redact(req.body),
    before: before ? redact(before) : null,
    after: after ? redact(after) : null,
    // A login (even a failed one) against an existing account belongs to that account's tenant,
    // so its admins see attempts on their accounts; an unknown e-mail stays tenant-less (platform only).
    lookup_email: loginEmail,
  };
}

/**
 * Every mutation under /api/v1 (successful or not, including login/refresh) is recorded after
 * the response has been sent: the insert never delays the caller, and a failed insert is logged,
 * not surfaced.
 */
export function installAuditHooks(fastify: FastifyInstance, repo: AuditRepository, logger: Logger): void {
  fastify.addHook('onSend', (req, _reply, payload, done) => {
    if (isAudited(req)) auditState(req).response = parseJsonObject(payload);
    done(null, payload);
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    if (isAudited(req)) {
      let record: AuditRecord;
      try {
        record = buildAuditRecord(req as AuditedRequest, reply);
      } catch (err) {
        logger.error(`audit entry could not be built (request ${requestIdOf(req.raw)}): ${(err as Error).message}`);
        done();
        return;
      }
      repo.insert(record).catch((err: unknown) => logger.error(`audit entry ${record.action} (request ${record.request_id}) not written: ${(err as Error).message}`));
    }
    done();
  });
}
