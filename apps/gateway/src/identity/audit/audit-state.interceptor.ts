import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, mergeMap, switchMap, type Observable } from 'rxjs';
import { AuditReads } from './audit-reads.service.js';
import { auditState, isAudited, type AuditedRequest } from './audit-state.js';
import { objectStateUrl } from './object-state-url.js';

/**
 * Collects the before/after state of the object an audited mutation addresses. Runs after the
 * guards, so only authenticated, authorised writes pay for the reads: one GET before the handler,
 * and after a successful action whose response is not the object itself (a rotate, a hold, a
 * delete) one GET after it. A read that fails leaves the state out; it never fails the request.
 */
@Injectable()
export class AuditStateInterceptor implements NestInterceptor {
  constructor(private readonly reads: AuditReads) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<AuditedRequest>();
    const principal = req.principal;
    if (!principal || !isAudited(req)) return next.handle();
    const target = objectStateUrl(req.method, req.routeOptions.url ?? '', req.url, (pattern) => req.server.hasRoute({ method: 'GET', url: pattern }));
    if (!target) return next.handle();
    const read = () => this.reads.read(req, principal, target.url).catch(() => null);
    return from(read()).pipe(
      switchMap((before) => {
        auditState(req).before = before;
        return next.handle();
      }),
      mergeMap(async (body) => {
        if (!target.samePath || req.method === 'DELETE') auditState(req).after = await read();
        return body;
      }),
    );
  }
}
