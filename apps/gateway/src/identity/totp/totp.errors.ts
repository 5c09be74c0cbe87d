import { ApiErrorCode, moduleError } from '#contracts';

export enum TotpErrorCode {
  AccountOnly = 'TOTP_ACCOUNT_ONLY',
  AlreadyEnabled = 'TOTP_ALREADY_ENABLED',
  NotEnabled = 'TOTP_NOT_ENABLED',
  NoPendingSetup = 'TOTP_NO_PENDING_SETUP',
  InvalidCode = 'TOTP_INVALID_CODE',
  InvalidPassword = 'TOTP_INVALID_PASSWORD',
  MfaFailed = 'TOTP_MFA_FAILED',
  SecretKeyMissing = 'TOTP_SECRET_KEY_MISSING',
}

const TOTP_TO_API: Record<TotpErrorCode, ApiErrorCode> = {
  [TotpErrorCode.AccountOnly]: ApiErrorCode.FORBIDDEN,
  [TotpErrorCode.AlreadyEnabled]: ApiErrorCode.CONFLICT,
  [TotpErrorCode.NotEnabled]: ApiErrorCode.CONFLICT,
  [TotpErrorCode.NoPendingSetup]: ApiErrorCode.CONFLICT,
  [TotpErrorCode.InvalidCode]: ApiErrorCode.VALIDATION_FAILED,
  [TotpErrorCode.InvalidPassword]: ApiErrorCode.UNAUTHORIZED,
  [TotpErrorCode.MfaFailed]: ApiErrorCode.UNAUTHORIZED,
  [TotpErrorCode.SecretKeyMissing]: ApiErrorCode.DEPENDENCY_UNAVAILABLE,
};

export class TotpError extends moduleError(TOTP_TO_API) {}
