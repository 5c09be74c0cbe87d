import { Body, Controller, Get, HttpCode, Put, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { Authenticated, CurrentPrincipal, Public } from '../../shared/authenticated.decorator.js';
import { LoginRateLimited } from '../../shared/login-rate-limited.decorator.js';
import type { Principal } from '../../shared/principal.js';
import { TokenPairDto } from '../auth/dto/token-pair.dto.js';
import { OidcCallbackQueryDto, OidcConfigDto, OidcLoginQueryDto, PutOidcConfigDto } from './oidc.dto.js';
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
      '302 to the identity provider (authorization code flow with PKCE, state and nonce); `?redirect=false` answers `{authorization_url}` instead. 404 OIDC_NOT_CONFIGURED while no provider is enabled.',
  })
  @ApiErrors(404, 429, 503)
  async login(@Query() q: OidcLoginQueryDto, @Res({ passthrough: true }) res: FastifyReply): Promise<{ authorization_url: string } | undefined> {
    const url = await this.oidc.start();
    if (q.redirect === 'false') return { authorization_url: url };
    void res.status(302).header('Location', url);
    return undefined;
  }

  @Get('callback')
  @Public()
  @LoginRateLimited()
  @ApiOperation({
    summary: 'Complete an OIDC login',
    description:
      'The provider redirects here. Checks state (single use, 10 minutes), PKCE and nonce, then finds the account: a subject linked before, or a verified email of an allowed domain (then linked). ' +
      'Answers the same token pair as POST /auth/login. 401 OIDC_STATE_INVALID, OIDC_PROVIDER_REFUSED, OIDC_NOT_LINKED or OIDC_ACCOUNT_DISABLED otherwise.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(400, 401, 404, 429, 503)
  callback(@Query() q: OidcCallbackQueryDto): Promise<TokenPairDto> {
    return this.oidc.complete({ ...q });
  }

  @Get('config')
  @Authenticated({ scope: 'system:read' })
  @ApiOperation({ summary: 'The OIDC provider configuration', description: 'Platform-only. The client secret is never returned (`client_secret_set`).' })
  @ApiOkResponse({ type: OidcConfigDto })
  @ApiErrors(403, 404)
  getConfig(@CurrentPrincipal() p: Principal): Promise<OidcConfigDto> {
    return this.oidc.getConfig(p);
  }

  @Put('config')
  @HttpCode(200)
  @Authenticated({ scope: 'system:write' })
  @ApiOperation({
    summary: 'Set the OIDC provider',
    description: 'Platform-only. The client secret is stored sealed (MAILPLANE_SECRET_KEY) and never returned; omit it to keep the stored one.',
  })
  @ApiOkResponse({ type: OidcConfigDto })
  @ApiErrors(400, 403, 415)
  putConfig(@CurrentPrincipal() p: Principal, @Body() body: PutOidcConfigDto): Promise<OidcConfigDto> {
    return this.oidc.putConfig(p, body);
  }
}
