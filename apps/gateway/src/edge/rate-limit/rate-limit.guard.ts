import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../shared/principal.js';
import { LOGIN_RATE_LIMIT } from '../../shared/login-rate-limited.decorator.js';
import { RateLimitError } from './rate-limit.errors.js';
import { RateLimitPolicy, type RateBudget } from '../../identity/rate-limits/rate-limit.policy.js';
import { RateLimitStore } from './rate-limit.store.js';

/**
 * Global guard registered after AuthGuard, so the caller is known: counts the request against its
 * budget, sets RateLimit-* on the response (errors included) and refuses with 429 once it is spent.
 * Login steps count per client IP instead. Without Redis each replica counts on its own (never fail open).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly policy: RateLimitPolicy,
    private readonly store: RateLimitStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest & { principal?: Principal }>();
    const budget = await this.budgetOf(context, req);
    if (!budget) return true;
    const hit = await this.store.hit(budget.bucket);
    const reset = Math.max(1, Math.ceil(hit.resetMs / 1000));
    const reply = http.getResponse<FastifyReply>();
    void reply.header('RateLimit-Limit', String(budget.limit));
    void reply.header('RateLimit-Remaining', String(Math.max(0, budget.limit - hit.count)));
    void reply.header('RateLimit-Reset', String(reset));
    if (hit.count > budget.limit) {
      void reply.header('Retry-After', String(reset));
      throw new RateLimitError(`At most ${budget.limit} requests per minute; retry in ${reset} s.`);
    }
    return true;
  }

  private async budgetOf(context: ExecutionContext, req: FastifyRequest & { principal?: Principal }): Promise<RateBudget | null> {
    const login = this.reflector.getAllAndOverride<boolean | undefined>(LOGIN_RATE_LIMIT, [context.getHandler(), context.getClass()]);
    if (login) return this.policy.loginBudget(req.ip);
    return req.principal ? this.policy.budgetFor(req.principal) : null;
  }
}
