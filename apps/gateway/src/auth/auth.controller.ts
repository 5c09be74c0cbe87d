import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrors } from '../openapi/api-errors.decorator.js';
import { LoginRateLimited } from '../rate-limit/login-rate-limited.decorator.js';
import { AuthService } from './auth.service.js';
import { Authenticated, CurrentPrincipal, Public } from './authenticated.decorator.js';
import { LoginDto, RefreshDto } from './dto/login.dto.js';
import { MeDto, TokenPairDto } from './dto/token-pair.dto.js';
import type { Principal } from './principal.js';
import { MfaRequiredDto } from './totp/dto/totp.dto.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @LoginRateLimited()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in with email and password',
    description:
      'Returns a 15-minute access token and a single-use refresh token. For an account with 2FA it returns `{mfa_required: true, mfa_token}` instead: ' +
      'complete the login with POST /auth/login/2fa. Attempts are limited per client IP (LOGIN_RATE_LIMIT_PER_MIN).',
  })
  @ApiExtraModels(TokenPairDto, MfaRequiredDto)
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(TokenPairDto) }, { $ref: getSchemaPath(MfaRequiredDto) }] } })
  @ApiErrors(400, 401, 415, 429)
  login(@Body() body: LoginDto): Promise<TokenPairDto | MfaRequiredDto> {
    return this.auth.login(body.email, body.password);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new token pair', description: 'The presented token is spent. Presenting a spent token again revokes every token of that login.' })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(400, 401, 415)
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(body.refresh_token);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({ summary: 'Who am I', description: 'The account behind the credential, its role, tenant and effective scopes.' })
  @ApiOkResponse({ type: MeDto })
  me(@CurrentPrincipal() p: Principal): MeDto {
    return {
      auth: p.kind,
      account_id: p.account_id,
      email: p.email,
      role: p.role,
      tenant_id: p.tenant_id,
      scopes: p.scopes,
      domain_allowlist: p.domain_allowlist,
      api_key_id: p.api_key_id,
    };
  }
}
