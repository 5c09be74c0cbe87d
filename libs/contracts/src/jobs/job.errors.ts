import { ApiErrorCode } from '../errors/error-codes.js';
import { moduleError } from '../errors/app-error.js';

export enum JobErrorCode {
  NotFound = 'JOB_NOT_FOUND',
  NotCancellable = 'JOB_NOT_CANCELLABLE',
  NothingToImport = 'JOB_NOTHING_TO_IMPORT',
  /** Imports seal their passwords under MAILPLANE_SECRET_KEY before queueing; without it they cannot start. */
  SecretKeyMissing = 'JOB_SECRET_KEY_MISSING',
  /** System jobs (reconcile) are started by the platform only. */
  PlatformOnly = 'JOB_PLATFORM_ONLY',
}

const JOB_TO_API: Record<JobErrorCode, ApiErrorCode> = {
  [JobErrorCode.NotFound]: ApiErrorCode.NOT_FOUND,
  [JobErrorCode.NotCancellable]: ApiErrorCode.CONFLICT,
  [JobErrorCode.NothingToImport]: ApiErrorCode.VALIDATION_FAILED,
  [JobErrorCode.SecretKeyMissing]: ApiErrorCode.DEPENDENCY_UNAVAILABLE,
  [JobErrorCode.PlatformOnly]: ApiErrorCode.FORBIDDEN,
};

export class JobError extends moduleError(JOB_TO_API) {}
