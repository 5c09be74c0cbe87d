import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { from, mergeMap, switchMap, type Observable } from 'rxjs';
import { requestIdOf } from '#common';
import { AUDIT_OBJECT, type AuditObjectMeta, type AuditReadArgs } from './audit-object.decorator.js';
import { asObject, auditState, isAudited, type AuditedRequest } from './audit-state.js';

/**
 * Collects the before/after state of the object an audited write addresses (routes marked with
 * @AuditObject). Runs after the guards, so only authenticated, authorised writes pay for the
 * reads: one before the handler and, when the response is not the object itself (a rotate, a hold,
 * a delete), one after it. A read that fails leaves the state out; it never fails the request.
 */
@Injectable()
export class AuditStateInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const meta = this.reflector.get<AuditObjectMeta | undefined>(AUDIT_OBJECT, context.getHandler());
    const req = context.switchToHttp().getRequest<AuditedRequest>();
    const principal = req.principal;
    if (!meta || !principal || !isAudited(req)) return next.handle();
    const controller: unknown = this.moduleRef.get(context.getClass(), { strict: false });
    const args: AuditReadArgs = {
      principal,
      requestId: requestIdOf(req.raw) ?? '',
      params: (req.params ?? {}) as Record<string, string>,
      query: (req.query ?? {}) as Record<string, unknown>,
    };
    const read = () =>
      meta
        .read(controller, args)
        .then(asObject)
        .catch(() => null);
    const responseIsState = meta.responseIsState ?? (req.method === 'PATCH' || req.method === 'PUT');
    return from(read()).pipe(
      switchMap((before) => {
        auditState(req).before = before;
        return next.handle();
      }),
      mergeMap(async (body) => {
        if (!responseIsState) auditState(req).after = await read();
        return body;
      }),
    );
  }
}
