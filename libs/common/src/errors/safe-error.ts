/**
 * What of an error may reach a log line: its kind, message, code and stack, but never the SQL
 * parameters or request data some errors carry (TypeORM's QueryFailedError has `parameters`).
 */
export function safeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err, message: String(err) };
  const e = err as Error & { code?: unknown; constraint?: unknown };
  return {
    type: e.name,
    message: e.message,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.constraint === 'string' ? { constraint: e.constraint } : {}),
    stack: e.stack,
  };
}
