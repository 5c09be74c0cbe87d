import { moduleError } from '../errors/app-error.js';
import { ApiErrorCode } from '../errors/error-codes.js';

export enum MailboxErrorCode {
  NotFound = 'MAILBOX_NOT_FOUND',
  DomainNotFound = 'MAILBOX_DOMAIN_NOT_FOUND',
  AddressTaken = 'MAILBOX_ADDRESS_TAKEN',
  InvalidAddress = 'MAILBOX_INVALID_ADDRESS',
  WeakPassword = 'MAILBOX_WEAK_PASSWORD',
  EmptyUpdate = 'MAILBOX_EMPTY_UPDATE',
  InvalidSettings = 'MAILBOX_INVALID_SETTINGS',
  ExceedsCap = 'MAILBOX_EXCEEDS_CAP',
  QuotaExceeded = 'MAILBOX_QUOTA_EXCEEDED',
}

const MAILBOX_TO_API: Record<MailboxErrorCode, ApiErrorCode> = {
  [MailboxErrorCode.NotFound]: ApiErrorCode.NOT_FOUND,
  [MailboxErrorCode.DomainNotFound]: ApiErrorCode.NOT_FOUND,
  [MailboxErrorCode.AddressTaken]: ApiErrorCode.CONFLICT,
  [MailboxErrorCode.InvalidAddress]: ApiErrorCode.VALIDATION_FAILED,
  [MailboxErrorCode.WeakPassword]: ApiErrorCode.VALIDATION_FAILED,
  [MailboxErrorCode.EmptyUpdate]: ApiErrorCode.VALIDATION_FAILED,
  [MailboxErrorCode.InvalidSettings]: ApiErrorCode.VALIDATION_FAILED,
  [MailboxErrorCode.ExceedsCap]: ApiErrorCode.VALIDATION_FAILED,
  [MailboxErrorCode.QuotaExceeded]: ApiErrorCode.QUOTA_EXCEEDED,
};

export class MailboxError extends moduleError(MAILBOX_TO_API) {}
