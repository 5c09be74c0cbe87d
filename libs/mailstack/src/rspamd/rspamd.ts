import { join } from 'node:path';
import { runCommand } from '../exec/command-runner.js';
import { findProcessesByExe, isAlive, readPidFile, waitUntil } from '../reconcile/process-state.js';

export interface RspamdBinaries {
  rspamd: string;
  rspamadm: string;
}

/** The pid file of the Debian package's main process (scripts/lib/antispam-stack.sh starts it so). */
export const RSPAMD_PID_FILE = '/run/rspamd/rspamd.pid';

const oneLine = (r: { stdout: string; stderr: string }) =>
  `${r.stderr}\n${r.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== 'syntax OK')
    .join('; ');

/** `rspamadm configtest`: parses the whole configuration, the rendered files included. */
export async function rspamdCheck(bin: RspamdBinaries, rspamdDir: string): Promise<void> {
  const r = await runCommand(bin.rspamadm, ['configtest', '-c', join(rspamdDir, 'rspamd.conf')]);
  if (r.code !== 0 || !/syntax OK/.test(r.stdout)) throw new Error(`rspamadm configtest failed: ${oneLine(r) || `exit ${r.code}`}`);
}

/**
 * SIGHUP: the main process starts workers on the new configuration and retires the old ones once they
 * finish their messages. Waits until every old worker is gone, so the next message sees the new maps.
 * A stopped Rspamd is started.
 */
export async function reloadRspamd(bin: RspamdBinaries): Promise<'reloaded' | 'started'> {
  const main = await readPidFile(RSPAMD_PID_FILE);
  if (!main || !(await isAlive(main))) {
    const r = await runCommand(bin.rspamd, ['-u', '_rspamd', '-g', '_rspamd']);
    if (r.code !== 0) throw new Error(`rspamd did not start: ${oneLine(r) || `exit ${r.code}`}`);
    return 'started';
  }
  const workers = (await findProcessesByExe(bin.rspamd)).filter((p) => p !== main);
  process.kill(main, 'SIGHUP');
  const retired = await waitUntil(async () => (await Promise.all(workers.map(isAlive))).every((a) => !a), 30_000, 100);
  if (!retired) throw new Error('rspamd kept its old workers for 30 s after SIGHUP');
  return 'reloaded';
}
