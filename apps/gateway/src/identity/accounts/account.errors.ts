import { ApiErrorCode, moduleError } from '#contracts';

export enum AccountErrorCode {
  NotFound = 'ACCOUNT_NOT_FOUND',
  EmailTaken = 'ACCOUNT_EMAIL_TAKEN',
  WeakPassword = 'ACCOUNT_WEAK_PASSWORD',
  RoleForbidden = 'ACCOUNT_ROLE_FORBIDDEN',
  BadDelegation = 'ACCOUNT_BAD_DELEGATION',
  DomainNotFound = 'ACCOUNT_DOMAIN_NOT_FOUND',
  TenantNotFound = 'ACCOUNT_TENANT_NOT_FOUND',
  LastPlatformAdmin = 'ACCOUNT_LAST_PLATFORM_ADMIN',
  Self = 'ACCOUNT_SELF',
  NothingToChange = 'ACCOUNT_NOTHING_TO_CHANGE',
  LockedOut = 'ACCOUNT_LOCKED_OUT',
  InvalidIpAllowlist = 'ACCOUNT_INVALID_IP_ALLOWLIST',
  IpAllowlistBeyondCaller = 'ACCOUNT_IP_ALLOWLIST_BEYOND_CALLER',
}

const ACCOUNT_TO_API: Record<AccountErrorCode, ApiErrorCode> = {
  [AccountErrorCode.NotFound]: ApiErrorCode.NOT_FOUND,
  [AccountErrorCode.EmailTaken]: ApiErrorCode.CONFLICT,
  [AccountErrorCode.WeakPassword]: ApiErrorCode.VALIDATION_FAILED,
  [AccountErrorCode.RoleForbidden]: ApiErrorCode.FORBIDDEN,
  [AccountErrorCode.BadDelegation]: ApiErrorCode.VALIDATION_FAILED,
  [AccountErrorCode.DomainNotFound]: ApiErrorCode.NOT_FOUND,
  [AccountErrorCode.TenantNotFound]: ApiErrorCode.NOT_FOUND,
  [AccountErrorCode.LastPlatformAdmin]: ApiErrorCode.CONFLICT,
  [AccountErrorCode.Self]: ApiErrorCode.CONFLICT,
  [AccountErrorCode.NothingToChange]: ApiErrorCode.VALIDATION_FAILED,
  [AccountErrorCode.LockedOut]: ApiErrorCode.RATE_LIMITED,
  [AccountErrorCode.InvalidIpAllowlist]: ApiErrorCode.VALIDATION_FAILED,
  [AccountErrorCode.IpAllowlistBeyondCaller]: ApiErrorCode.FORBIDDEN,
};

export class AccountError extends moduleError(ACCOUNT_TO_API) {}
