import { open, readFile, unlink } from 'node:fs/promises';
import { isAlive, sleep } from './process-state.js';

/**
 * One reconcile at a time per mail node (two worker replicas, or a job beside a manual run, would
 * otherwise interleave writes and snapshots). An exclusive lock file holding the owner's pid; a lock
 * left by a dead process is taken over. Returns the release function.
 */
export async function acquireReconcileLock(path: string, timeoutMs = 120_000): Promise<() => Promise<void>> {
  const token = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(token);
      await fh.close();
      return async () => {
        if ((await readFile(path, 'utf8').catch(() => '')) === token) await unlink(path).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).split(':')[0]);
    if (owner && owner !== process.pid && !(await isAlive(owner))) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > end) throw new Error(`another reconcile (pid ${owner || 'unknown'}) still holds ${path} after ${timeoutMs} ms`);
    await sleep(100);
  }
}
