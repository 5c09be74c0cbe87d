import { moduleError } from '../errors/app-error.js';
import { ApiErrorCode } from '../errors/error-codes.js';

export enum TenantErrorCode {
  NotFound = 'TENANT_NOT_FOUND',
  NameTaken = 'TENANT_NAME_TAKEN',
  HasDomains = 'TENANT_HAS_DOMAINS',
  PlatformTenant = 'TENANT_PLATFORM_PROTECTED',
  NameIsUuid = 'TENANT_NAME_IS_UUID',
  /** Tenant-wide usage and purges are asked by the platform only. */
  PlatformOnly = 'TENANT_PLATFORM_ONLY',
}

const TENANT_TO_API: Record<TenantErrorCode, ApiErrorCode> = {
  [TenantErrorCode.NotFound]: ApiErrorCode.NOT_FOUND,
  [TenantErrorCode.NameTaken]: ApiErrorCode.CONFLICT,
  [TenantErrorCode.HasDomains]: ApiErrorCode.CONFLICT,
  [TenantErrorCode.PlatformTenant]: ApiErrorCode.CONFLICT,
  [TenantErrorCode.NameIsUuid]: ApiErrorCode.VALIDATION_FAILED,
  [TenantErrorCode.PlatformOnly]: ApiErrorCode.FORBIDDEN,
};

export class TenantError extends moduleError(TENANT_TO_API) {}

/** For the services that own a tenant's rows: tenant-wide requests come from the platform only. */
export const refuseTenantWide = (detail: string) => new TenantError(TenantErrorCode.PlatformOnly, 'Forbidden', detail);
