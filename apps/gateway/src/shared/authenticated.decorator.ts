import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { requestIdOf } from '#common';
import type { Scope } from '#contracts';
import { ApiErrors } from './api-errors.decorator.js';
import { ErrorResponseDto, errorExample } from './error-response.dto.js';
import type { Principal } from './principal.js';

export const AUTH_METADATA = 'mailplane:auth';
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';

export interface AuthOptions {
  /** Scope the route needs; omitted = any authenticated caller. */
  scope?: Scope;
}

/** One decorator per route: enforces authentication and the scope, and documents both in OpenAPI. */
export function Authenticated(options: AuthOptions = {}) {
  const scopeText = options.scope ? `Needs scope \`${options.scope}\`.` : 'Any valid credential.';
  return applyDecorators(
    SetMetadata(AUTH_METADATA, { public: false, ...options }),
    // Machine-readable for clients and for the generated scope matrix test.
    ApiExtension('x-required-scope', options.scope ?? null),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(API_KEY_SCHEME),
    ApiUnauthorizedResponse({
      description: 'Missing, invalid, expired or revoked credentials',
      type: ErrorResponseDto,
      example: errorExample('UNAUTHORIZED', 'Authentication required', 'Send Authorization: Bearer <token> or X-API-Key.'),
    }),
    ApiForbiddenResponse({
      description: `${scopeText} INSUFFICIENT_SCOPE when the key lacks it, FORBIDDEN when the role does not allow it.`,
      type: ErrorResponseDto,
      example: errorExample('INSUFFICIENT_SCOPE', 'Insufficient scope', `This route needs scope ${options.scope ?? '(any)'}.`),
    }),
    // Every authenticated route counts against the caller's rate limit (apps/gateway/src/rate-limit).
    ApiErrors(429),
  );
}

/** A route anyone may call (login, refresh, health, docs). */
export function Public() {
  return SetMetadata(AUTH_METADATA, { public: true });
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<{ principal: Principal }>().principal;
});

export const RequestId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  return requestIdOf(ctx.switchToHttp().getRequest<{ raw: IncomingMessage }>().raw);
});
