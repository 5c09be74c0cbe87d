import { moduleError } from '../errors/app-error.js';
import { ApiErrorCode } from '../errors/error-codes.js';

export enum AntispamErrorCode {
  PlatformOnly = 'ANTISPAM_PLATFORM_ONLY',
  InvalidValue = 'ANTISPAM_INVALID_VALUE',
  InvalidSettings = 'ANTISPAM_INVALID_SETTINGS',
  Duplicate = 'ANTISPAM_DUPLICATE_ENTRY',
  NotFound = 'ANTISPAM_ENTRY_NOT_FOUND',
}

const ANTISPAM_TO_API: Record<AntispamErrorCode, ApiErrorCode> = {
  [AntispamErrorCode.PlatformOnly]: ApiErrorCode.FORBIDDEN,
  [AntispamErrorCode.InvalidValue]: ApiErrorCode.VALIDATION_FAILED,
  [AntispamErrorCode.InvalidSettings]: ApiErrorCode.VALIDATION_FAILED,
  [AntispamErrorCode.Duplicate]: ApiErrorCode.CONFLICT,
  [AntispamErrorCode.NotFound]: ApiErrorCode.NOT_FOUND,
};

export class AntispamError extends moduleError(ANTISPAM_TO_API) {}
