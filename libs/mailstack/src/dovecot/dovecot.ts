import { join } from 'node:path';
import { runCommand } from '../exec/command-runner.js';
import { isAlive, readPidFile } from '../reconcile/process-state.js';

export interface DovecotBinaries {
  dovecot: string | null;
  doveconf: string;
  doveadm: string;
}

const oneLine = (r: { stdout: string; stderr: string }) =>
  `${r.stderr}\n${r.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');

export const dovecotConfPath = (dir: string) => join(dir, 'dovecot.conf');

/** `doveconf -n -c dovecot.conf`: parses the whole configuration, includes too. */
export async function doveconfCheck(bin: DovecotBinaries, dir: string): Promise<void> {
  const r = await runCommand(bin.doveconf, ['-n', '-c', dovecotConfPath(dir)]);
  if (r.code !== 0) throw new Error(`doveconf failed: ${oneLine({ stdout: '', stderr: r.stderr }) || `exit ${r.code}`}`);
}

export async function dovecotRunning(bin: DovecotBinaries, dir: string): Promise<boolean> {
  const r = await runCommand(bin.doveconf, ['-c', dovecotConfPath(dir), '-h', 'base_dir']);
  const baseDir = r.code === 0 ? r.stdout.trim() : '/run/dovecot';
  return isAlive(await readPidFile(join(baseDir, 'master.pid')));
}

/** `doveadm reload` a running Dovecot, or start a stopped one. */
export async function reloadDovecot(bin: DovecotBinaries, dir: string): Promise<'reloaded' | 'started'> {
  if (await dovecotRunning(bin, dir)) {
    const r = await runCommand(bin.doveadm, ['-c', dovecotConfPath(dir), 'reload']);
    if (r.code !== 0) throw new Error(`doveadm reload failed: ${oneLine(r)}`);
    return 'reloaded';
  }
  if (!bin.dovecot) throw new Error('dovecot is not running and its binary was not found');
  const r = await runCommand(bin.dovecot, ['-c', dovecotConfPath(dir)]);
  if (r.code !== 0) throw new Error(`dovecot start failed: ${oneLine(r)}`);
  return 'started';
}
