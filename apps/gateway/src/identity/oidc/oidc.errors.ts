import { ApiErrorCode, moduleError } from '#contracts';

export enum OidcErrorCode {
  NotConfigured = 'OIDC_NOT_CONFIGURED',
  SecretKeyMissing = 'OIDC_SECRET_KEY_MISSING',
  IdpUnavailable = 'OIDC_IDP_UNAVAILABLE',
  StateInvalid = 'OIDC_STATE_INVALID',
  ExchangeFailed = 'OIDC_EXCHANGE_FAILED',
  NotLinked = 'OIDC_NOT_LINKED',
  DomainNotAllowed = 'OIDC_DOMAIN_NOT_ALLOWED',
  AccountDisabled = 'OIDC_ACCOUNT_DISABLED',
  PlatformOnly = 'OIDC_PLATFORM_ONLY',
  InvalidConfig = 'OIDC_INVALID_CONFIG',
}

const OIDC_TO_API: Record<OidcErrorCode, ApiErrorCode> = {
  [OidcErrorCode.NotConfigured]: ApiErrorCode.NOT_FOUND,
  [OidcErrorCode.SecretKeyMissing]: ApiErrorCode.DEPENDENCY_UNAVAILABLE,
  [OidcErrorCode.IdpUnavailable]: ApiErrorCode.DEPENDENCY_UNAVAILABLE,
  [OidcErrorCode.StateInvalid]: ApiErrorCode.UNAUTHORIZED,
  [OidcErrorCode.ExchangeFailed]: ApiErrorCode.UNAUTHORIZED,
  [OidcErrorCode.NotLinked]: ApiErrorCode.UNAUTHORIZED,
  [OidcErrorCode.DomainNotAllowed]: ApiErrorCode.UNAUTHORIZED,
  [OidcErrorCode.AccountDisabled]: ApiErrorCode.UNAUTHORIZED,
  [OidcErrorCode.PlatformOnly]: ApiErrorCode.FORBIDDEN,
  [OidcErrorCode.InvalidConfig]: ApiErrorCode.VALIDATION_FAILED,
};

/**
 * The public `code` is the shared ApiErrorCode (UNAUTHORIZED, ...); the `error` title names the
 * OIDC reason (e.g. "OIDC identity not linked") so clients can tell the refusals apart.
 */
export class OidcError extends moduleError(OIDC_TO_API) {}
