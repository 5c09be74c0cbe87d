import { CommonError, type NodeSubject, nodeSubject } from '#contracts';

/** Builds this gateway's subject for its mail node (MAIL_NODE_ID). */
export function subjectFor(nodeId: string): (s: NodeSubject) => string {
  return (s) => nodeSubject(nodeId, s);
}

/** The action routes take no parameters: their body must be `{}` (anything else is a mistake worth a 400). */
export function requireEmptyBody(body: unknown): void {
  if (body === undefined || body === null) return;
  if (typeof body !== 'object' || Array.isArray(body)) throw CommonError.validation([{ field: '(body)', message: 'the body must be an empty JSON object {}' }]);
  const keys = Object.keys(body);
  if (keys.length) throw CommonError.validation(keys.map((k) => ({ field: k, message: `${k} is not a known field` })));
}

/** Daemon actions wait for the daemon to come up or go away: allow them longer than a plain read. */
export const SERVICE_ACTION_TIMEOUT_MS = 60_000;

export const PLATFORM = 'Platform-only (other roles: 403 FORBIDDEN).';
export const NO_MAILSTACK = 'Without Postfix on the mail node: 503 DEPENDENCY_UNAVAILABLE naming the missing program.';
