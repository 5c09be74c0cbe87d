import { ApiErrorCode } from '../errors/error-codes.js';
import { moduleError } from '../errors/app-error.js';

/** Why a service refused a request's caller context. */
export enum BusErrorCode {
  /** No signed context came with the request. */
  CallerUnsigned = 'BUS_CALLER_UNSIGNED',
  /** The signature is not from a known sender's key, or the token is malformed. */
  CallerForged = 'BUS_CALLER_FORGED',
  /** The token's lifetime is over (or longer than a service accepts). */
  CallerExpired = 'BUS_CALLER_EXPIRED',
  /** Signed for another subject, another context, or already used once. */
  CallerMismatch = 'BUS_CALLER_MISMATCH',
  /** A known sender, but the catalog does not let it send this request. */
  SenderNotAllowed = 'BUS_SENDER_NOT_ALLOWED',
}

// Every refusal is the caller's (or a misconfigured sender's) fault, never the end user's: one
// public code, the reason in the detail and in the service's warn log.
const BUS_TO_API: Record<BusErrorCode, ApiErrorCode> = {
  [BusErrorCode.CallerUnsigned]: ApiErrorCode.FORBIDDEN,
  [BusErrorCode.CallerForged]: ApiErrorCode.FORBIDDEN,
  [BusErrorCode.CallerExpired]: ApiErrorCode.FORBIDDEN,
  [BusErrorCode.CallerMismatch]: ApiErrorCode.FORBIDDEN,
  [BusErrorCode.SenderNotAllowed]: ApiErrorCode.FORBIDDEN,
};

export class BusError extends moduleError(BUS_TO_API) {}
