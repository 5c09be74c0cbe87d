import { Body, Controller, HttpCode, Post } from '@nestjs/common';
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
    description: 'Needs a current code, an unused recovery code or the account password. Removes the secret and every recovery code. A wrong code is 400, a wrong password 401; either changes nothing.',
  })
  @ApiOkResponse({ type: TotpStatusDto })
  @ApiErrors(400, 409, 415, 503)
  async disable(@CurrentPrincipal() p: Principal, @Body() body: TotpDisableDto): Promise<TotpStatusDto> {
    await this.totp.disable(p, body);
    return { totp_enabled: false };
  }

  @Post('login/2fa')
  @Public()
  @LoginRateLimited()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Second login step for accounts with 2FA',
    description: 'Exchanges the mfa_token from POST /auth/login and a current code (or an unused recovery code, which is then spent) for the usual token pair. A code is accepted only once; a wrong code, or a spent or expired mfa_token, is 401.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(400, 401, 415, 429, 503)
  async secondStep(@Body() body: LoginSecondStepDto): Promise<TokenPairDto> {
    const accountId = await this.mfa.complete(body.mfa_token, body.code);
    return this.auth.completeLogin(accountId);
  }
}
