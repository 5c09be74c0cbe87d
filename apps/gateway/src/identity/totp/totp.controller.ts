import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { Authenticated, CurrentPrincipal } from '../../shared/authenticated.decorator.js';
import type { Principal } from '../../shared/principal.js';
import { TotpCodeDto, TotpDisableDto, TotpRecoveryCodesDto, TotpSetupDto, TotpStatusDto } from './dto/totp.dto.js';
import { TotpService } from './totp.service.js';
import { withRetryAfter } from '../auth/retry-after.js';

@ApiTags('auth')
@Controller('auth')
export class TotpController {
  constructor(private readonly totp: TotpService) {}

  @Post('totp/setup')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start enrolling a TOTP authenticator',
    description:
      'Account logins only (an API key gets 403). Returns a new secret, its otpauth URL and a QR code; 2FA is on only after POST /auth/totp/confirm. Calling it again before confirming replaces the secret.',
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
    description:
      'A current code from the authenticator enables 2FA and returns ten single-use recovery codes, shown only this once. A wrong code changes nothing.',
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
      'Needs a current code, an unused recovery code or the account password. Removes the secret and every recovery code. A wrong code is 400, a wrong password 401; ' +
      'either changes nothing but counts as a failed login of the account and the client IP (see POST /auth/login), so guessing here locks the account too. ' +
      'While the account or IP is locked out this answers 429 RATE_LIMITED with Retry-After before the code or password is checked.',
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
}
