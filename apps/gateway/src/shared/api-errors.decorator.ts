import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { errorExample, ErrorResponseDto } from './error-response.dto.js';

const DOCS: Record<number, { description: string; example: ReturnType<typeof errorExample> }> = {
  400: {
    description: 'Validation failed (see `fields`) or malformed JSON',
    example: {
      ...errorExample('VALIDATION_FAILED', 'Validation failed', 'One or more fields are invalid.'),
      fields: [{ field: 'name', message: 'name must be a valid domain name such as example.com (IDN allowed)' }],
    },
  },
  401: { description: 'Missing or invalid credentials', example: errorExample('UNAUTHORIZED', 'Invalid credentials', 'The email or password is wrong.') },
  403: { description: 'Not allowed for this caller', example: errorExample('FORBIDDEN', 'Forbidden', 'You may not create objects for another tenant.') },
  404: {
    description: 'No such object for this caller (another tenant’s object is a 404 too)',
    example: errorExample('NOT_FOUND', 'Domain not found', 'No domain example.com is visible to you.'),
  },
  409: { description: 'Conflicts with existing state', example: errorExample('CONFLICT', 'Domain exists', 'The domain example.com already exists.') },
  415: {
    description: 'Writes must be application/json',
    example: errorExample('UNSUPPORTED_MEDIA_TYPE', 'Unsupported media type', 'POST requests must send Content-Type: application/json.'),
  },
  429: {
    description: 'Rate limit reached (RateLimit-* headers; retry after Retry-After seconds)',
    example: errorExample('RATE_LIMITED', 'Too many requests', 'At most 120 requests per minute; retry in 42 s.'),
  },
  503: {
    description: 'A service or the message bus is down',
    example: errorExample('DEPENDENCY_UNAVAILABLE', 'Service unavailable', 'No domains service is running to answer this request; try again shortly.'),
  },
  504: {
    description: 'A service did not answer in time',
    example: errorExample('UPSTREAM_TIMEOUT', 'Upstream timeout', 'The domains service did not answer within 5000 ms.'),
  },
};

/** Documents the error responses a route can give, with the envelope schema and an example each. */
export function ApiErrors(...statuses: (keyof typeof DOCS)[]) {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: DOCS[status].description, type: ErrorResponseDto, example: DOCS[status].example })),
  );
}

/** Every route that goes through a service over NATS can also fail with these. */
export const RPC_ERRORS = [503, 504] as const;

/**
 * Documents a 409 that may be QUOTA_EXCEEDED (a tenant or domain limit reached; `detail` names it)
 * and, with `conflictToo`, also CONFLICT. Use instead of 409 in `@ApiErrors`.
 */
export function ApiQuotaExceeded(conflictToo = false) {
  const quota = {
    summary: 'A limit reached',
    value: errorExample('QUOTA_EXCEEDED', 'Quota exceeded', 'tenant limit max_mailboxes (5) reached; nothing was changed.'),
  };
  const examples: Record<string, { summary: string; value: object }> = { quota_exceeded: quota };
  if (conflictToo) examples.conflict = { summary: 'Conflicts with existing state', value: DOCS[409].example };
  return ApiResponse({
    status: 409,
    description: conflictToo
      ? 'CONFLICT with existing state, or QUOTA_EXCEEDED: a tenant or domain limit is reached (`detail` names it; nothing is written)'
      : 'QUOTA_EXCEEDED: a tenant or domain limit is reached (`detail` names it; nothing is written)',
    type: ErrorResponseDto,
    examples,
  });
}
