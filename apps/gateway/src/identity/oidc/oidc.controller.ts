import { Body, Controller, Get, Put, Query, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { Authenticated, CurrentPrincipal, Public } from '../../shared/authenticated.decorator.js';
import { LoginRateLimited } from '../../shared/login-rate-limited.decorator.js';
import { isPlatformAdmin, type Principal } from '../../shared/principal.js';
import { AuditObject } from '../audit/audit-object.decorator.js';
import { TokenPairDto } from '../auth/dto/token-pair.dto.js';
import { OidcAuthorizationUrlDto, OidcCallbackQueryDto, OidcConfigDto, OidcLoginQueryDto, PutOidcConfigDto } from './dto/oidc.dto.js';
import { OidcError, OidcErrorCode } from './oidc.errors.js';
import { OidcService } from './oidc.service.js';

@ApiTags('auth')
@Controller('auth/oidc')
export class OidcController {
  constructor(private readonly oidc: OidcService) {}

  @Get('login')
  @Public()
  @LoginRateLimited()
  @ApiOperation({
    summary: 'Start an OIDC login',
    description:
      'Redirects (302) to the configured identity provider, with PKCE (S256), a state and a nonce kept server-side for 10 minutes. ' +
      'With `?redirect=false` answers `{authorization_url}` instead, for clients that open the browser themselves. ' +
      '404 NOT_FOUND while OIDC is not configured or not enabled; 503 when the identity provider cannot be reached.',
  })
  @ApiFoundResponse({ description: 'Location: the identity provider’s authorization endpoint' })
  @ApiOkResponse({ type: OidcAuthorizationUrlDto, description: 'With ?redirect=false' })
  @ApiErrors(400, 404, 429, 503)
  async login(@Query() q: OidcLoginQueryDto, @Res() res: FastifyReply): Promise<void> {
    const url = await this.oidc.startLogin();
    res.header('cache-control', 'no-store');
    if (q.redirect === false) await res.status(200).send({ authorization_url: url } satisfies OidcAuthorizationUrlDto);
    else await res.status(302).header('location', url).send();
  }

  @Get('callback')
  @Public()
  @LoginRateLimited()
  @ApiOperation({
    summary: 'Complete an OIDC login (the identity provider redirects here)',
    description:
      'Checks the state (single use, any gateway replica), the PKCE verifier and the ID token’s nonce, then answers the same token pair as POST /auth/login. ' +
      'The identity is the account linked to the ID token’s (issuer, subject); an unlinked identity is linked to the active account with its email when the IdP says ' +
      '`email_verified: true` and the email’s domain is in allowed_domains. The IdP’s login counts as complete: no TOTP step follows. ' +
      '401 UNAUTHORIZED for an unknown, expired or reused state, a refused code exchange, an unlinked identity, a domain not allowed or a disabled account or tenant.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(400, 401, 403, 404, 429, 503)
  callback(@Query() q: OidcCallbackQueryDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<TokenPairDto> {
    res.header('cache-control', 'no-store');
    // The IdP's parameters go to the token exchange exactly as received (it checks iss and state).
    const at = req.url.indexOf('?');
    return this.oidc.completeLogin(q.state, at < 0 ? '' : req.url.slice(at), req.ip);
  }

  @Get('config')
  @Authenticated({ scope: 'system:read' })
  @ApiOperation({ summary: 'The OIDC configuration', description: 'Platform admins only. The client secret is never returned, only `client_secret_set`.' })
  @ApiOkResponse({ type: OidcConfigDto })
  getConfig(@CurrentPrincipal() p: Principal): Promise<OidcConfigDto> {
    platformOnly(p);
    return this.oidc.getConfig();
  }

  @Put('config')
  @Authenticated({ scope: 'system:write' })
  @AuditObject((c: OidcController, a) => c.getConfig(a.principal))
  @ApiOperation({
    summary: 'Set the OIDC configuration',
    description:
      'Platform admins only. Replaces the whole configuration; `client_secret` is required the first time and kept when omitted later. ' +
      'It is sealed with MAILPLANE_SECRET_KEY (503 without it) and never returned. issuer must be https (http only on a loopback address).',
  })
  @ApiOkResponse({ type: OidcConfigDto })
  @ApiErrors(400, 415, 503)
  putConfig(@CurrentPrincipal() p: Principal, @Body() body: PutOidcConfigDto): Promise<OidcConfigDto> {
    platformOnly(p);
    return this.oidc.putConfig(body);
  }
}

function platformOnly(p: Principal): void {
  if (!isPlatformAdmin(p)) throw new OidcError(OidcErrorCode.PlatformOnly, 'Forbidden', 'Only platform admins may read or change the OIDC configuration.');
}
