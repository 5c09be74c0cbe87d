import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { findUnstorableText, toStorableText } from '#common';
import { CommonError } from '#contracts';

/**
 * Global guard, after authentication: a NUL or an unpaired UTF-16 surrogate anywhere in the JSON
 * body, the query string or a path parameter is refused with 400 before any handler, interceptor
 * or pipe sees it. Such text cannot be stored as sent (PostgreSQL refuses NUL; node-postgres
 * rewrites lone surrogates), so accepting it would store something else than the caller sent.
 * Running after AuthGuard keeps the caller on the refused attempt's audit entry.
 */
@Injectable()
export class TextIntegrityGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const where = unstorableInput(req);
    if (where) {
      const field = toStorableText(where);
      throw CommonError.validation(
        [{ field, message: `${field} contains a NUL character or an unpaired UTF-16 surrogate (\\u0000, \\ud800-\\udfff); send valid Unicode text` }],
        'The request contains text that cannot be stored as sent (NUL or an unpaired UTF-16 surrogate).',
      );
    }
    return true;
  }
}

/** Where the first unstorable text in the request is: `path.<param>`, `query.<name>` or the body field. */
export function unstorableInput(req: Pick<FastifyRequest, 'params' | 'query' | 'body'>): string | null {
  return findUnstorableText(req.params, 'path') ?? findUnstorableText(req.query, 'query') ?? findUnstorableText(req.body, '');
}
