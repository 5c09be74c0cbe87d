import { CommonError, CommonErrorCode, MailNodeError, MailNodeErrorCode } from '#contracts';
import { MailstackMissingError } from '../exec/command-runner.js';
import { PostfixCommandError } from '../queue/postfix-queue.js';

/** Turns mail-stack failures into API errors: a missing program is 503 naming it, a refusing daemon 503 with its message. */
export function toMailNodeError(err: unknown): unknown {
  if (err instanceof MailstackMissingError) {
    // Names the program and its daemon; the search path stays in the service's config (and logs), not in responses.
    const daemon = /this host has no (.+) installed/.exec(err.message)?.[1] ?? err.program;
    return new CommonError(
      CommonErrorCode.DependencyUnavailable,
      `${daemon} is not installed`,
      `${err.program} was not found on this mail node: ${daemon} is not installed there (or not in its configured program path).`,
    );
  }
  if (err instanceof PostfixCommandError) {
    return new MailNodeError(
      MailNodeErrorCode.QueueCommandFailed,
      'Postfix command failed',
      `${err.command} failed (exit ${err.code}): ${err.output || 'no output'}`,
    );
  }
  return err;
}

/** Runs `fn`, rethrowing mail-stack failures as API errors. */
export async function mailstackCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toMailNodeError(err);
  }
}
