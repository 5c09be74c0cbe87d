import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** The mail stack (or one of its programs) is not on this host: the API answers 503 naming it. */
export class MailstackMissingError extends Error {
  constructor(
    readonly program: string,
    readonly binPath: string,
  ) {
    super(`${program} was not found in MAILSTACK_BIN_PATH (${binPath}): this host has no ${daemonOf(program)} installed`);
    this.name = 'MailstackMissingError';
  }
}

function daemonOf(program: string): string {
  if (program.startsWith('post') || program === 'sendmail') return 'Postfix';
  if (program.startsWith('dove')) return 'Dovecot';
  if (program.startsWith('opendkim')) return 'OpenDKIM';
  if (program.startsWith('rspam')) return 'Rspamd';
  if (program.startsWith('clam')) return 'ClamAV';
  return program;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The absolute path of `program` in the first folder of `binPath` (colon-separated) that has it, or null. */
export function findBinary(program: string, binPath: string): string | null {
  for (const dir of binPath.split(':').filter(Boolean)) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export function requireBinary(program: string, binPath: string): string {
  const found = findBinary(program, binPath);
  if (!found) throw new MailstackMissingError(program, binPath);
  return found;
}

export interface RunOptions {
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  maxBuffer?: number;
}

/**
 * Runs a program with an argument array, never through a shell. A non-zero exit is a result, not an
 * exception (callers read the daemons' messages); failing to start or running past the timeout throws.
 */
export function runCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      [...args],
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024, env: options.env ?? process.env, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          if (err.killed) return reject(new Error(`${file} ${args.join(' ')} timed out after ${options.timeoutMs ?? 30_000} ms`));
          return reject(err);
        }
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
