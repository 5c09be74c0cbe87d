import type { FastifyReply } from 'fastify';
import { LoginLockedError } from '../accounts/login-lockout.service.js';

/** A lockout answers 429 with Retry-After = seconds until the lock ends (the filter keeps a header set here). */
export async function withRetryAfter<T>(res: FastifyReply, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LoginLockedError) void res.header('Retry-After', String(err.retryAfterSeconds));
    throw err;
  }
}
