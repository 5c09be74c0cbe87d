import { moduleError } from '../errors/app-error.js';
import { ApiErrorCode } from '../errors/error-codes.js';

export enum AliasErrorCode {
  NotFound = 'ALIAS_NOT_FOUND',
  DomainNotFound = 'ALIAS_DOMAIN_NOT_FOUND',
  SourceTaken = 'ALIAS_SOURCE_TAKEN',
  InvalidSource = 'ALIAS_INVALID_SOURCE',
  InvalidDestination = 'ALIAS_INVALID_DESTINATION',
  Loop = 'ALIAS_LOOP',
  EmptyUpdate = 'ALIAS_EMPTY_UPDATE',
  QuotaExceeded = 'ALIAS_QUOTA_EXCEEDED',
}

const ALIAS_TO_API: Record<AliasErrorCode, ApiErrorCode> = {
  [AliasErrorCode.NotFound]: ApiErrorCode.NOT_FOUND,
  [AliasErrorCode.DomainNotFound]: ApiErrorCode.NOT_FOUND,
  [AliasErrorCode.SourceTaken]: ApiErrorCode.CONFLICT,
  [AliasErrorCode.InvalidSource]: ApiErrorCode.VALIDATION_FAILED,
  [AliasErrorCode.InvalidDestination]: ApiErrorCode.VALIDATION_FAILED,
  [AliasErrorCode.Loop]: ApiErrorCode.VALIDATION_FAILED,
  [AliasErrorCode.EmptyUpdate]: ApiErrorCode.VALIDATION_FAILED,
  [AliasErrorCode.QuotaExceeded]: ApiErrorCode.QUOTA_EXCEEDED,
};

export class AliasError extends moduleError(ALIAS_TO_API) {}
