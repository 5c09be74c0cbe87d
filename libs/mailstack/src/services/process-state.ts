import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * Process facts from /proc, without `ps` or signals: `kill -0` succeeds on a zombie, and PID 1 on
 * container hosts reaps zombies late, so a stopped daemon can linger as `Z` for a while.
 */

/** The pid a daemon wrote into its pid file (Postfix pads it with spaces), or null. */
export async function readPidFile(path: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(path, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null;
  }
}

export interface ProcInfo {
  pid: number;
  comm: string;
  /** One-letter state (R, S, D, Z, ...). */
  state: string;
  /** Start time, when /proc/stat gives the boot time. */
  startedAt: Date | null;
}

/** /proc/<pid>/stat of a live (not zombie, not dead) process, else null. */
export async function liveProcess(pid: number): Promise<ProcInfo | null> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm is in parentheses and may itself hold spaces or parentheses: split at the last ')'.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const comm = stat.slice(open + 1, close);
  const fields = stat.slice(close + 2).split(' ');
  const state = fields[0];
  if (state === 'Z' || state === 'X' || state === 'x') return null;
  const startTicks = Number(fields[19]);
  const boot = bootTime();
  const startedAt = boot !== null && Number.isFinite(startTicks) ? new Date(boot * 1000 + (startTicks / CLOCK_TICKS) * 1000) : null;
  return { pid, comm, state, startedAt };
}

/** USER_HZ: 100 on every mainstream Linux architecture (sysconf(_SC_CLK_TCK)). */
const CLOCK_TICKS = 100;

let cachedBoot: number | null | undefined;
function bootTime(): number | null {
  if (cachedBoot !== undefined) return cachedBoot;
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    cachedBoot = m ? Number(m[1]) : null;
  } catch {
    cachedBoot = null;
  }
  return cachedBoot;
}

/** True when PID 1 is systemd (then daemons are controlled with systemctl). */
export function pid1IsSystemd(): boolean {
  try {
    return readFileSync('/proc/1/comm', 'utf8').trim() === 'systemd';
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it returns true or `timeoutMs` passes. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}
