import { moduleError } from '../errors/app-error.js';
import { ApiErrorCode } from '../errors/error-codes.js';

export enum ConfigErrorCode {
  PlatformOnly = 'CONFIG_PLATFORM_ONLY',
  LimitFieldForbidden = 'CONFIG_LIMIT_FIELD_FORBIDDEN',
  InvalidSettings = 'CONFIG_INVALID_SETTINGS',
  ExceedsGlobalCap = 'CONFIG_EXCEEDS_GLOBAL_CAP',
  DomainNotFound = 'CONFIG_DOMAIN_NOT_FOUND',
}

const CONFIG_TO_API: Record<ConfigErrorCode, ApiErrorCode> = {
  [ConfigErrorCode.PlatformOnly]: ApiErrorCode.FORBIDDEN,
  [ConfigErrorCode.LimitFieldForbidden]: ApiErrorCode.FORBIDDEN,
  [ConfigErrorCode.InvalidSettings]: ApiErrorCode.VALIDATION_FAILED,
  [ConfigErrorCode.ExceedsGlobalCap]: ApiErrorCode.VALIDATION_FAILED,
  [ConfigErrorCode.DomainNotFound]: ApiErrorCode.NOT_FOUND,
};

export class ConfigError extends moduleError(CONFIG_TO_API) {}
