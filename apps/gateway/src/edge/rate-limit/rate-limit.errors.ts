import { ApiErrorCode, AppError } from '#contracts';

export enum RateLimitErrorCode {
  Exceeded = 'RATE_LIMIT_EXCEEDED',
}

export class RateLimitError extends AppError {
  constructor(detail: string) {
    super(ApiErrorCode.RATE_LIMITED, 'Too many requests', detail, undefined, RateLimitErrorCode.Exceeded);
  }
}
