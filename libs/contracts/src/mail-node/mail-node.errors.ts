import { moduleError } from '../errors/app-error.js';
import { ApiErrorCode } from '../errors/error-codes.js';

export enum MailNodeErrorCode {
  PlatformOnly = 'MAIL_NODE_PLATFORM_ONLY',
  InvalidQueueId = 'QUEUE_INVALID_ID',
  ConfirmationRequired = 'QUEUE_CONFIRMATION_REQUIRED',
  QueueItemNotFound = 'QUEUE_ITEM_NOT_FOUND',
  QueueItemState = 'QUEUE_ITEM_STATE',
  QueueCommandFailed = 'QUEUE_COMMAND_FAILED',
  UnknownService = 'SERVICE_UNKNOWN',
  ServiceNotRunning = 'SERVICE_NOT_RUNNING',
  ServiceActionFailed = 'SERVICE_ACTION_FAILED',
}

const MAIL_NODE_TO_API: Record<MailNodeErrorCode, ApiErrorCode> = {
  [MailNodeErrorCode.PlatformOnly]: ApiErrorCode.FORBIDDEN,
  [MailNodeErrorCode.InvalidQueueId]: ApiErrorCode.VALIDATION_FAILED,
  [MailNodeErrorCode.ConfirmationRequired]: ApiErrorCode.VALIDATION_FAILED,
  [MailNodeErrorCode.QueueItemNotFound]: ApiErrorCode.NOT_FOUND,
  [MailNodeErrorCode.QueueItemState]: ApiErrorCode.CONFLICT,
  // Postfix refused or is down: the daemon is the failing dependency.
  [MailNodeErrorCode.QueueCommandFailed]: ApiErrorCode.DEPENDENCY_UNAVAILABLE,
  [MailNodeErrorCode.UnknownService]: ApiErrorCode.NOT_FOUND,
  [MailNodeErrorCode.ServiceNotRunning]: ApiErrorCode.CONFLICT,
  [MailNodeErrorCode.ServiceActionFailed]: ApiErrorCode.DEPENDENCY_UNAVAILABLE,
};

export class MailNodeError extends moduleError(MAIL_NODE_TO_API) {}
