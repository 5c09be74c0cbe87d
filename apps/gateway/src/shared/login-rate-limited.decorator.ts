import { SetMetadata } from '@nestjs/common';

export const LOGIN_RATE_LIMIT = 'mailplane:login-rate-limit';

/**
 * Marks a public login step (password, 2FA code): attempts are counted per client IP against
 * LOGIN_RATE_LIMIT_PER_MIN, before any credential is checked.
 */
export const LoginRateLimited = () => SetMetadata(LOGIN_RATE_LIMIT, true);
