import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { Public } from '../../shared/authenticated.decorator.js';
import { LoginRateLimited } from '../../shared/login-rate-limited.decorator.js';
import { LoginSecondStepDto } from '../totp/dto/totp.dto.js';
import { MfaLoginService } from '../totp/mfa-login.service.js';
import { AuthService } from './auth.service.js';
import { TokenPairDto } from './dto/token-pair.dto.js';
import { withRetryAfter } from './retry-after.js';

/** The second login step lives with the login (not the TOTP module), which only checks codes. */
@ApiTags('auth')
@Controller('auth')
export class LoginSecondStepController {
  constructor(
    private readonly mfa: MfaLoginService,
    private readonly auth: AuthService,
  ) {}

  @Post('login/2fa')
  @Public()
  @LoginRateLimited()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Second login step for accounts with 2FA',
    description:
      'Exchanges the mfa_token from POST /auth/login and a current code (or an unused recovery code, which is then spent) for the usual token pair. ' +
      'A code is accepted only once; a wrong code, or a spent or expired mfa_token, is 401. One mfa_token tolerates 5 wrong codes. ' +
      'Lockout: a wrong code counts as a failed login of the account and of the client IP, exactly like a wrong password on POST /auth/login ' +
      '(LOGIN_LOCKOUT_THRESHOLD, LOGIN_IP_LOCKOUT_THRESHOLD); while either is locked this answers 429 RATE_LIMITED with Retry-After before the code is checked ' +
      '(the mfa_token stays usable until it expires), and POST /auth/login is locked the same way. Completing this step is the successful login that resets the account’s counter; ' +
      'the correct password alone (the first step) does not. Attempts also count against the per-IP LOGIN_RATE_LIMIT_PER_MIN.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(400, 401, 415, 429, 503)
  async secondStep(@Body() body: LoginSecondStepDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): Promise<TokenPairDto> {
    const accountId = await withRetryAfter(res, () => this.mfa.complete(body.mfa_token, body.code, req.ip));
    return this.auth.completeLogin(accountId);
  }
}
