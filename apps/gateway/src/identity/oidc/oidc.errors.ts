import { ApiErrorCode, moduleError } from '#contracts';

export enum OidcErrorCode {
  /** No provider configured, or it is switched off. */
  NotConfigured = 'OIDC_NOT_CONFIGURED',
  /** The state is unknown, used or expired (a forged or replayed callback). */
  StateInvalid = 'OIDC_STATE_INVALID',
  /** The provider's answer failed a check (nonce, PKCE, signature, issuer) or the code exchange. */
  ProviderRefused = 'OIDC_PROVIDER_REFUSED',
  /** No account is linked to the subject, and no verified email of an allowed domain matches one. */
  NotLinked = 'OIDC_NOT_LINKED',
  AccountDisabled = 'OIDC_ACCOUNT_DISABLED',
  PlatformOnly = 'OIDC_PLATFORM_ONLY',
  InvalidConfig = 'OIDC_INVALID_CONFIG',
  ProviderUnavailable = 'OIDC_PROVIDER_UNAVAILABLE',
}

const TO_API: Record<OidcErrorCode, ApiErrorCode> = {
  [OidcErrorCode.NotConfigured]: ApiErrorCode.NOT_FOUND,
  [OidcErrorCode.StateInvalid]: ApiErrorCode.UNAUTHORIZED,
  [OidcErrorCode.ProviderRefused]: ApiErrorCode.UNAUTHORIZED,
  [OidcErrorCode.NotLinked]: ApiErrorCode.UNAUTHORIZED,
  [OidcErrorCode.AccountDisabled]: ApiErrorCode.UNAUTHORIZED,
  [OidcErrorCode.PlatformOnly]: ApiErrorCode.FORBIDDEN,
  [OidcErrorCode.InvalidConfig]: ApiErrorCode.VALIDATION_FAILED,
  [OidcErrorCode.ProviderUnavailable]: ApiErrorCode.DEPENDENCY_UNAVAILABLE,
};

export class OidcError extends moduleError(TO_API) {}
