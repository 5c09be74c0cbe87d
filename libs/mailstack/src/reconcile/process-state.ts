import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';

/** A pid from a pid file, or null. */
export async function readPidFile(path: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Whether `pid` runs. PID 1 here reaps zombies late, so `kill -0` is no proof of life: a zombie
 * (state Z in /proc/<pid>/stat, as `ps -o stat=` shows it) has exited.
 */
export async function isAlive(pid: number | null): Promise<boolean> {
  if (!pid) return false;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() >= end) return false;
    await sleep(stepMs);
  }
}

export function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Live processes running the program `exe` (compared by resolved path of /proc/<pid>/exe). */
export async function findProcessesByExe(exe: string): Promise<number[]> {
  const { readdir, readlink, realpath } = await import('node:fs/promises');
  const want = await realpath(exe).catch(() => exe);
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const target = await readlink(`/proc/${name}/exe`).catch(() => null);
    if (target === want && (await isAlive(Number(name)))) out.push(Number(name));
  }
  return out;
}
