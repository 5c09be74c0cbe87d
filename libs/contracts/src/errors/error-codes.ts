/** The public error codes of the API (docs/architecture.md#api-conventions). Every module's own codes map onto one of these. */
export enum ApiErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  UNAUTHORIZED = 'UNAUTHORIZED',
  FORBIDDEN = 'FORBIDDEN',
  INSUFFICIENT_SCOPE = 'INSUFFICIENT_SCOPE',
  IP_RESTRICTED = 'IP_RESTRICTED',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED = 'RATE_LIMITED',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  DEPENDENCY_UNAVAILABLE = 'DEPENDENCY_UNAVAILABLE',
  UPSTREAM_TIMEOUT = 'UPSTREAM_TIMEOUT',
}

/** Exhaustive: adding a code without a status is a compile error. */
export const API_ERROR_STATUS: Record<ApiErrorCode, number> = {
  [ApiErrorCode.VALIDATION_FAILED]: 400,
  [ApiErrorCode.UNAUTHORIZED]: 401,
  [ApiErrorCode.FORBIDDEN]: 403,
  [ApiErrorCode.INSUFFICIENT_SCOPE]: 403,
  [ApiErrorCode.IP_RESTRICTED]: 403,
  [ApiErrorCode.NOT_FOUND]: 404,
  [ApiErrorCode.CONFLICT]: 409,
  [ApiErrorCode.QUOTA_EXCEEDED]: 409,
  [ApiErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ApiErrorCode.RATE_LIMITED]: 429,
  [ApiErrorCode.INTERNAL_ERROR]: 500,
  [ApiErrorCode.DEPENDENCY_UNAVAILABLE]: 503,
  [ApiErrorCode.UPSTREAM_TIMEOUT]: 504,
};

export interface FieldError {
  field: string;
  message: string;
}

/** The error body every response and every RPC error reply carries. */
export interface ErrorBody {
  error: string;
  detail: string;
  code: ApiErrorCode;
  fields?: FieldError[];
  error_id?: string;
}

/** What a service puts in an RpcException: the body plus the HTTP status it stands for. */
export interface RpcErrorPayload extends ErrorBody {
  status: number;
}

export function isRpcErrorPayload(value: unknown): value is RpcErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.status === 'number' && typeof v.code === 'string' && v.code in API_ERROR_STATUS && typeof v.error === 'string';
}
