import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthErrorCode, AuthError } from '../../shared/auth.errors.js';
import { AUTH_METADATA, type AuthOptions } from '../../shared/authenticated.decorator.js';
import { CredentialsService } from '../../identity/auth/credentials.service.js';
import { principalAllows, type Principal } from '../../shared/principal.js';
import { RateLimitPolicy } from '../../identity/rate-limits/rate-limit.policy.js';
import { RateLimitError } from '../rate-limit/rate-limit.errors.js';
import { RateLimitStore } from '../rate-limit/rate-limit.store.js';

/**
 * Global guard: every route needs credentials unless marked @Public(), and a route without
 * @Authenticated/@Public metadata is refused (secure by default).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
    private readonly policy: RateLimitPolicy,
    private readonly store: RateLimitStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const meta = this.reflector.getAllAndOverride<(AuthOptions & { public?: boolean }) | undefined>(AUTH_METADATA, [context.getHandler(), context.getClass()]);
    if (meta?.public) return true;
    const req = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const principal = await this.credentials.authenticate(req.headers, req.ip).catch((err: unknown) => this.refused(context, req, err));
    req.principal = principal;
    if (!meta) throw new AuthError(AuthErrorCode.RoleForbidden, 'This route is not available.');
    if (meta.scope) {
      const allowed = principalAllows(principal, meta.scope);
      if (!allowed.scope) {
        throw new AuthError(
          AuthErrorCode.InsufficientScope,
          `This route needs scope ${meta.scope}; the credential has ${principal.scopes.join(', ') || 'none'}.`,
        );
      }
      if (!allowed.role) {
        throw new AuthError(AuthErrorCode.RoleForbidden, `The role ${principal.role} may not use this route.`);
      }
    }
    return true;
  }

  /** A failed authentication counts against the client IP's budget: past it the answer is 429, not 401. */
  private async refused(context: ExecutionContext, req: FastifyRequest, err: unknown): Promise<never> {
    if (!(err instanceof AuthError)) throw err;
    const budget = this.policy.unauthenticatedBudget(req.ip);
    const hit = await this.store.hit(budget.bucket);
    if (hit.count > budget.limit) {
      const reset = Math.max(1, Math.ceil(hit.resetMs / 1000));
      void context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(reset));
      throw new RateLimitError(`Too many requests without valid credentials from ${req.ip}; retry in ${reset} s.`);
    }
    throw err;
  }
}
