import { API_ERROR_STATUS, ApiErrorCode, type ErrorBody, type FieldError } from './error-codes.js';

/**
 * Base of every typed error a service throws. Modules subclass it with their own code enum and an
 * exhaustive map onto ApiErrorCode; the edges (HTTP filter, RPC filter) turn it into a response.
 */
export class AppError extends Error {
  constructor(
    readonly apiCode: ApiErrorCode,
    message: string,
    readonly detail: string = message,
    readonly fields?: FieldError[],
    /** The module's own code, kept for logs. */
    readonly moduleCode?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  get status(): number {
    return API_ERROR_STATUS[this.apiCode];
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: this.message, detail: this.detail, code: this.apiCode };
    if (this.fields?.length) body.fields = this.fields;
    return body;
  }
}

/** Errors every module may raise: validation of input and generic dependency trouble. */
export enum CommonErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  DependencyUnavailable = 'DEPENDENCY_UNAVAILABLE',
  UpstreamTimeout = 'UPSTREAM_TIMEOUT',
  Internal = 'INTERNAL_ERROR',
}

const COMMON_TO_API: Record<CommonErrorCode, ApiErrorCode> = {
  [CommonErrorCode.ValidationFailed]: ApiErrorCode.VALIDATION_FAILED,
  [CommonErrorCode.DependencyUnavailable]: ApiErrorCode.DEPENDENCY_UNAVAILABLE,
  [CommonErrorCode.UpstreamTimeout]: ApiErrorCode.UPSTREAM_TIMEOUT,
  [CommonErrorCode.Internal]: ApiErrorCode.INTERNAL_ERROR,
};

export class CommonError extends AppError {
  constructor(code: CommonErrorCode, message: string, detail?: string, fields?: FieldError[]) {
    super(COMMON_TO_API[code], message, detail, fields, code);
  }

  static validation(fields: FieldError[], detail = 'One or more fields are invalid.'): CommonError {
    return new CommonError(CommonErrorCode.ValidationFailed, 'Validation failed', detail, fields);
  }
}

/**
 * The error class of one module: thrown with the module's own code, mapped to the public code by
 * the module's exhaustive table. `class DomainError extends moduleError(DOMAIN_TO_API) {}`.
 */
export function moduleError<C extends string>(toApi: Record<C, ApiErrorCode>) {
  return class ModuleError extends AppError {
    constructor(code: C, message: string, detail?: string, fields?: FieldError[]) {
      super(toApi[code], message, detail, fields, code);
    }
  };
}
