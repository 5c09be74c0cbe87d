import { moduleError } from '../errors/app-error.js';
import { ApiErrorCode } from '../errors/error-codes.js';

export enum DkimErrorCode {
  DomainNotFound = 'DKIM_DOMAIN_NOT_FOUND',
  KeyNotFound = 'DKIM_KEY_NOT_FOUND',
  InvalidSelector = 'DKIM_INVALID_SELECTOR',
  /** DELETE without `selector` on a domain with several keys: which one is ambiguous. */
  SelectorRequired = 'DKIM_SELECTOR_REQUIRED',
  SelectorTaken = 'DKIM_SELECTOR_TAKEN',
}

const DKIM_TO_API: Record<DkimErrorCode, ApiErrorCode> = {
  [DkimErrorCode.DomainNotFound]: ApiErrorCode.NOT_FOUND,
  [DkimErrorCode.KeyNotFound]: ApiErrorCode.NOT_FOUND,
  [DkimErrorCode.InvalidSelector]: ApiErrorCode.VALIDATION_FAILED,
  [DkimErrorCode.SelectorRequired]: ApiErrorCode.VALIDATION_FAILED,
  [DkimErrorCode.SelectorTaken]: ApiErrorCode.CONFLICT,
};

export class DkimError extends moduleError(DKIM_TO_API) {}
