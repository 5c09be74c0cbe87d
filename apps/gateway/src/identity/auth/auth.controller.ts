import { Body, Controller, Get, HttpCode, Post, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { LoginRateLimited } from '../../shared/login-rate-limited.decorator.js';
import { AuthService } from './auth.service.js';
import { Authenticated, CurrentPrincipal, Public } from '../../shared/authenticated.decorator.js';
import { LoginDto, RefreshDto } from './dto/login.dto.js';
import { MeDto, TokenPairDto } from './dto/token-pair.dto.js';
import type { Principal } from '../../shared/principal.js';
import { MfaRequiredDto } from '../totp/dto/totp.dto.js';
import { ChangePasswordDto, LogoutDto } from '../accounts/dto/account.dto.js';
import { MessageResponseDto } from '../../shared/error-response.dto.js';
import { AuthError, AuthErrorCode } from '../../shared/auth.errors.js';
import { withRetryAfter } from './retry-after.js';
import { TotpService } from '../totp/totp.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly totp: TotpService,
  ) {}

  @Post('login')
  @Public()
  @LoginRateLimited()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in with email and password',
    description:
      'Returns a 15-minute access token and a single-use refresh token. For an account with 2FA it returns `{mfa_required: true, mfa_token}` instead: ' +
      'complete the login with POST /auth/login/2fa. Attempts are limited per client IP (LOGIN_RATE_LIMIT_PER_MIN). ' +
      'Lockout: after LOGIN_LOCKOUT_THRESHOLD failed logins of one account (LOGIN_IP_LOCKOUT_THRESHOLD from one IP) each further attempt is refused ' +
      'with 429 RATE_LIMITED and Retry-After for 1 s, doubling per further failure up to LOGIN_LOCKOUT_MAX_SECONDS, on every gateway replica (the counters live in Redis). ' +
      'Failures are wrong passwords here, wrong codes on POST /auth/login/2fa, a wrong current password on PUT /auth/password and a wrong code or password on POST /auth/totp/disable. ' +
      'A successful login resets the account’s counter (not the IP’s); for an account with 2FA that is the completed second step, not the password alone.',
  })
  @ApiExtraModels(TokenPairDto, MfaRequiredDto)
  @ApiOkResponse({ schema: { oneOf: [{ $ref: getSchemaPath(TokenPairDto) }, { $ref: getSchemaPath(MfaRequiredDto) }] } })
  @ApiErrors(400, 401, 415, 429)
  login(@Body() body: LoginDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<TokenPairDto | MfaRequiredDto> {
    return withRetryAfter(res, () => this.auth.login(body.email, body.password, req.ip));
  }

  @Post('logout')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log out: revoke a refresh token’s session',
    description: 'Revokes the presented refresh token and every token of the same login (its family); access tokens already issued run out within 15 minutes.',
  })
  @ApiOkResponse({ type: MessageResponseDto, example: { message: 'logged out' } })
  @ApiErrors(400, 401, 415)
  async logout(@Body() body: LogoutDto): Promise<MessageResponseDto> {
    await this.auth.logout(body.refresh_token);
    return { message: 'logged out' };
  }

  @Put('password')
  @Authenticated()
  @ApiOperation({
    summary: 'Change your own password',
    description:
      'Accounts only (an API key gets 403). The new password must meet the policy: at least 12 characters mixing 3 of lower-case, upper-case, digits and other characters. ' +
      'Every refresh token of the account is revoked; the response is a fresh token pair for this session. A wrong current password is 400 and counts towards the login lockout; while the account or IP is locked out this answers 429 RATE_LIMITED with Retry-After.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(400, 415)
  changePassword(
    @CurrentPrincipal() p: Principal,
    @Body() body: ChangePasswordDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<TokenPairDto> {
    if (p.kind !== 'account') throw new AuthError(AuthErrorCode.RoleForbidden, 'Log in with your password to change it; API keys cannot.');
    return withRetryAfter(res, () => this.auth.changePassword(p.account_id, p.email, body.current_password, body.new_password, req.ip));
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new token pair',
    description: 'The presented token is spent. Presenting a spent token again revokes every token of that login.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(400, 401, 415)
  refresh(@Body() body: RefreshDto): Promise<TokenPairDto> {
    return this.auth.refresh(body.refresh_token);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({
    summary: 'Who am I',
    description:
      'The account behind the credential, its role, tenant and effective scopes, and whether the account has 2FA on (with how many recovery codes are left). ' +
      'For an API key every account field, 2FA included, describes the key’s owning account.',
  })
  @ApiOkResponse({ type: MeDto })
  async me(@CurrentPrincipal() p: Principal): Promise<MeDto> {
    const totp = await this.totp.status(p.account_id);
    return {
      auth: p.kind,
      account_id: p.account_id,
      email: p.email,
      role: p.role,
      tenant_id: p.tenant_id,
      scopes: p.scopes,
      domain_allowlist: p.domain_allowlist,
      api_key_id: p.api_key_id,
      ...totp,
    };
  }
}
