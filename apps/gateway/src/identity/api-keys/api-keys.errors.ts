import { ApiErrorCode, moduleError } from '#contracts';

export enum ApiKeyErrorCode {
  NotFound = 'API_KEY_NOT_FOUND',
  AlreadyRevoked = 'API_KEY_ALREADY_REVOKED',
  ScopeBeyondCaller = 'API_KEY_SCOPE_BEYOND_CALLER',
  AllowlistBeyondCaller = 'API_KEY_ALLOWLIST_BEYOND_CALLER',
  ExpiryInPast = 'API_KEY_EXPIRY_IN_PAST',
  ExpiryBeyondCaller = 'API_KEY_EXPIRY_BEYOND_CALLER',
  RateLimitBeyondCaller = 'API_KEY_RATE_LIMIT_BEYOND_CALLER',
  IpAllowlistBeyondCaller = 'API_KEY_IP_ALLOWLIST_BEYOND_CALLER',
  InvalidIpAllowlist = 'API_KEY_INVALID_IP_ALLOWLIST',
  NothingToChange = 'API_KEY_NOTHING_TO_CHANGE',
  LineageConflict = 'API_KEY_LINEAGE_CONFLICT',
  /** Rotating hands out the new secret: only the key's owner or a platform admin may. */
  RotateNotOwner = 'API_KEY_ROTATE_NOT_OWNER',
}

const TO_API: Record<ApiKeyErrorCode, ApiErrorCode> = {
  [ApiKeyErrorCode.NotFound]: ApiErrorCode.NOT_FOUND,
  [ApiKeyErrorCode.AlreadyRevoked]: ApiErrorCode.CONFLICT,
  [ApiKeyErrorCode.ScopeBeyondCaller]: ApiErrorCode.FORBIDDEN,
  [ApiKeyErrorCode.AllowlistBeyondCaller]: ApiErrorCode.FORBIDDEN,
  [ApiKeyErrorCode.ExpiryInPast]: ApiErrorCode.VALIDATION_FAILED,
  [ApiKeyErrorCode.ExpiryBeyondCaller]: ApiErrorCode.FORBIDDEN,
  [ApiKeyErrorCode.RateLimitBeyondCaller]: ApiErrorCode.FORBIDDEN,
  [ApiKeyErrorCode.IpAllowlistBeyondCaller]: ApiErrorCode.FORBIDDEN,
  [ApiKeyErrorCode.InvalidIpAllowlist]: ApiErrorCode.VALIDATION_FAILED,
  [ApiKeyErrorCode.NothingToChange]: ApiErrorCode.VALIDATION_FAILED,
  [ApiKeyErrorCode.LineageConflict]: ApiErrorCode.CONFLICT,
  [ApiKeyErrorCode.RotateNotOwner]: ApiErrorCode.FORBIDDEN,
};

export class ApiKeyError extends moduleError(TO_API) {}
