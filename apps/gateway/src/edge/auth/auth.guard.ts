import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuthErrorCode, AuthError } from '../../shared/auth.errors.js';
import { AUTH_METADATA, type AuthOptions } from '../../shared/authenticated.decorator.js';
import { CredentialsService } from '../../identity/auth/credentials.service.js';
import { principalAllows, type Principal } from '../../shared/principal.js';

/**
 * Global guard: every route needs credentials unless marked @Public(), and a route without
 * @Authenticated/@Public metadata is refused (secure by default).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const meta = this.reflector.getAllAndOverride<(AuthOptions & { public?: boolean }) | undefined>(AUTH_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (meta?.public) return true;
    const req = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const principal = await this.credentials.authenticate(req.headers, req.ip);
    req.principal = principal;
    if (!meta) throw new AuthError(AuthErrorCode.RoleForbidden, 'This route is not available.');
    if (meta.scope) {
      const allowed = principalAllows(principal, meta.scope);
      if (!allowed.scope) {
        throw new AuthError(AuthErrorCode.InsufficientScope, `This route needs scope ${meta.scope}; the credential has ${principal.scopes.join(', ') || 'none'}.`);
      }
      if (!allowed.role) {
        throw new AuthError(AuthErrorCode.RoleForbidden, `The role ${principal.role} may not use this route.`);
      }
    }
    return true;
  }
}
