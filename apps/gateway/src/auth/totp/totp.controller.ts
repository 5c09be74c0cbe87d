import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../openapi/api-errors.decorator.js';
import { AuthService } from '../auth.service.js';
import { Authenticated, CurrentPrincipal, Public } from '../authenticated.decorator.js';
import { TokenPairDto } from '../dto/token-pair.dto.js';
import type { Principal } from '../principal.js';
import { LoginSecondStepDto, TotpCodeDto, TotpDisableDto, TotpRecoveryCodesDto, TotpSetupDto, TotpStatusDto } from './dto/totp.dto.js';
import { MfaLoginService } from './mfa-login.service.js';
import { TotpService } from './totp.service.js';
import { LoginRateLimited } from '../../rate-limit/login-rate-limited.decorator.js';
import { withRetryAfter } from '../retry-after.js';

@ApiTags('auth')
@Controller('auth')
export class TotpController {
  constructor(
    private readonly totp: TotpService,
    private readonly mfa: MfaLoginService,
    private readonly auth: AuthService,
  ) {}

  @Post('totp/setup')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start enrolling a TOTP authenticator',
    description: 'Account logins only (an API key gets 403). Returns a new secret, its otpauth URL and a QR code; 2FA is on only after POST /auth/totp/confirm. Calling it again before confirming replaces the secret.',
  })
  @ApiBody({ required: false, schema: { type: 'object', example: {} } })
  @ApiOkResponse({ type: TotpSetupDto })
  @ApiErrors(409, 503)
  setup(@CurrentPrincipal() p: Principal): Promise<TotpSetupDto> {
    return this.totp.setup(p);
  }

  @Post('totp/confirm')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Confirm the authenticator and turn 2FA on',
    description: 'A current code from the authenticator enables 2FA and returns ten single-use recovery codes, shown only this once. A wrong code changes nothing.',
  })
  @ApiOkResponse({ type: TotpRecoveryCodesDto })
  @ApiErrors(400, 409, 415, 503)
  confirm(@CurrentPrincipal() p: Principal, @Body() body: TotpCodeDto): Promise<TotpRecoveryCodesDto> {
    return this.totp.confirm(p, body.code);
  }

  @Post('totp/disable')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Turn 2FA off',
    description:
      'Needs a current code, an unused recovery code or the account password. Removes the secret and every recovery code. A wrong code is 400, a wrong password 401; '
      + 'either changes nothing but counts as a failed login of the account and the client IP (see POST /auth/login), so guessing here locks the account too. '
      + 'While the account or IP is locked out this answers 429 RATE_LIMITED with Retry-After before the code or password is checked.',
  })
  @ApiOkResponse({ type: TotpStatusDto })
  @ApiErrors(400, 409, 415, 503)
  async disable(
    @CurrentPrincipal() p: Principal,
    @Body() body: TotpDisableDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<TotpStatusDto> {
    await withRetryAfter(res, () => this.totp.disable(p, body, req.ip));
    return { totp_enabled: false };
  }

  @Post('login/2fa')
  @Public()
  @LoginRateLimited()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Second login step for accounts with 2FA',
    description:
      'Exchanges the mfa_token from POST /auth/login and a current code (or an unused recovery code, which is then spent) for the usual token pair. '
      + 'A code is accepted only once; a wrong code, or a spent or expired mfa_token, is 401. One mfa_token tolerates 5 wrong codes. '
      + 'Lockout: a wrong code counts as a failed login of the account and of the client IP, exactly like a wrong password on POST /auth/login '
      + '(LOGIN_LOCKOUT_THRESHOLD, LOGIN_IP_LOCKOUT_THRESHOLD); while either is locked this answers 429 RATE_LIMITED with Retry-After before the code is checked '
      + '(the mfa_token stays usable until it expires), and POST /auth/login is locked the same way. Completing this step is the successful login that resets the account’s counter; '
      + 'the correct password alone (the first step) does not. Attempts also count against the per-IP LOGIN_RATE_LIMIT_PER_MIN.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(400, 401, 415, 429, 503)
  async secondStep(@Body() body: LoginSecondStepDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<TokenPairDto> {
    const accountId = await withRetryAfter(res, () => this.mfa.complete(body.mfa_token, body.code, req.ip));
    return this.auth.completeLogin(accountId);
  }
}
