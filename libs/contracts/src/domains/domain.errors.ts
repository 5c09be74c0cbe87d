import { moduleError } from '../errors/app-error.js';
import { ApiErrorCode } from '../errors/error-codes.js';

export enum DomainErrorCode {
  NotFound = 'DOMAIN_NOT_FOUND',
  NameTaken = 'DOMAIN_NAME_TAKEN',
  TenantNotFound = 'DOMAIN_TENANT_NOT_FOUND',
  TenantForbidden = 'DOMAIN_TENANT_FORBIDDEN',
  NotInAllowlist = 'DOMAIN_NOT_IN_ALLOWLIST',
  EmptyUpdate = 'DOMAIN_EMPTY_UPDATE',
  InvalidName = 'DOMAIN_INVALID_NAME',
  NotEmpty = 'DOMAIN_NOT_EMPTY',
  QuotaExceeded = 'DOMAIN_QUOTA_EXCEEDED',
}

const DOMAIN_TO_API: Record<DomainErrorCode, ApiErrorCode> = {
  [DomainErrorCode.NotFound]: ApiErrorCode.NOT_FOUND,
  [DomainErrorCode.NameTaken]: ApiErrorCode.CONFLICT,
  [DomainErrorCode.TenantNotFound]: ApiErrorCode.VALIDATION_FAILED,
  [DomainErrorCode.TenantForbidden]: ApiErrorCode.FORBIDDEN,
  [DomainErrorCode.NotInAllowlist]: ApiErrorCode.FORBIDDEN,
  [DomainErrorCode.EmptyUpdate]: ApiErrorCode.VALIDATION_FAILED,
  [DomainErrorCode.InvalidName]: ApiErrorCode.VALIDATION_FAILED,
  [DomainErrorCode.NotEmpty]: ApiErrorCode.CONFLICT,
  [DomainErrorCode.QuotaExceeded]: ApiErrorCode.QUOTA_EXCEEDED,
};

export class DomainError extends moduleError(DOMAIN_TO_API) {}
