import { AppError, ApiErrorCode } from '#contracts';

export enum AuthErrorCode {
  MissingCredentials = 'AUTH_MISSING_CREDENTIALS',
  InvalidCredentials = 'AUTH_INVALID_CREDENTIALS',
  InvalidToken = 'AUTH_INVALID_TOKEN',
  TokenExpired = 'AUTH_TOKEN_EXPIRED',
  KeyRevoked = 'AUTH_KEY_REVOKED',
  KeyExpired = 'AUTH_KEY_EXPIRED',
  AccountDisabled = 'AUTH_ACCOUNT_DISABLED',
  RefreshInvalid = 'AUTH_REFRESH_INVALID',
  RefreshReused = 'AUTH_REFRESH_REUSED',
  InsufficientScope = 'AUTH_INSUFFICIENT_SCOPE',
  RoleForbidden = 'AUTH_ROLE_FORBIDDEN',
  IpRestricted = 'AUTH_IP_RESTRICTED',
}

const AUTH_TO_API: Record<AuthErrorCode, ApiErrorCode> = {
  [AuthErrorCode.MissingCredentials]: ApiErrorCode.UNAUTHORIZED,
  [AuthErrorCode.InvalidCredentials]: ApiErrorCode.UNAUTHORIZED,
  [AuthErrorCode.InvalidToken]: ApiErrorCode.UNAUTHORIZED,
  [AuthErrorCode.TokenExpired]: ApiErrorCode.UNAUTHORIZED,
  [AuthErrorCode.KeyRevoked]: ApiErrorCode.UNAUTHORIZED,
  [AuthErrorCode.KeyExpired]: ApiErrorCode.UNAUTHORIZED,
  [AuthErrorCode.AccountDisabled]: ApiErrorCode.UNAUTHORIZED,
  [AuthErrorCode.RefreshInvalid]: ApiErrorCode.UNAUTHORIZED,
  [AuthErrorCode.RefreshReused]: ApiErrorCode.UNAUTHORIZED,
  [AuthErrorCode.InsufficientScope]: ApiErrorCode.INSUFFICIENT_SCOPE,
  [AuthErrorCode.RoleForbidden]: ApiErrorCode.FORBIDDEN,
  [AuthErrorCode.IpRestricted]: ApiErrorCode.IP_RESTRICTED,
};

const MESSAGES: Record<AuthErrorCode, string> = {
  [AuthErrorCode.MissingCredentials]: 'Authentication required',
  [AuthErrorCode.InvalidCredentials]: 'Invalid credentials',
  [AuthErrorCode.InvalidToken]: 'Invalid credentials',
  [AuthErrorCode.TokenExpired]: 'Token expired',
  [AuthErrorCode.KeyRevoked]: 'API key revoked',
  [AuthErrorCode.KeyExpired]: 'API key expired',
  [AuthErrorCode.AccountDisabled]: 'Account disabled',
  [AuthErrorCode.RefreshInvalid]: 'Invalid refresh token',
  [AuthErrorCode.RefreshReused]: 'Refresh token reused',
  [AuthErrorCode.InsufficientScope]: 'Insufficient scope',
  [AuthErrorCode.RoleForbidden]: 'Forbidden',
  [AuthErrorCode.IpRestricted]: 'IP address not allowed',
};

export class AuthError extends AppError {
  constructor(code: AuthErrorCode, detail: string) {
    super(AUTH_TO_API[code], MESSAGES[code], detail, undefined, code);
  }
}
