import type { AppConfig } from '#common';
import { requireBinary } from '../exec/command-runner.js';
import type { MailstackPaths, ReconcileInput, ReconcileProgress, ReconcileResult } from './reconcile.types.js';

export function mailstackPathsFrom(config: AppConfig): MailstackPaths {
  return {
    binPath: config.MAILSTACK_BIN_PATH,
    postfixDir: config.POSTFIX_CONFIG_DIR,
    dovecotDir: config.DOVECOT_CONFIG_DIR,
    opendkimDir: config.OPENDKIM_CONFIG_DIR,
    opendkimUser: config.OPENDKIM_USER,
  };
}

/**
 * Renders what the views do not carry (map definitions, main.cf parameters from the global tier,
 * Dovecot's SQL config and quota, OpenDKIM tables and keys), checks it, rolls back on a failed check
 * (throws ReconcileError), and reloads only the daemons whose files changed.
 * Throws MailstackMissingError when the host has no mail stack.
 */
export async function reconcileMailstack(input: ReconcileInput, paths: MailstackPaths, onProgress?: ReconcileProgress): Promise<ReconcileResult> {
  requireBinary('postfix', paths.binPath);
  void input;
  void onProgress;
  throw new Error('reconcileMailstack: being implemented');
}
