import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

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

function parseStat(stat: string): { comm: string; fields: string[] } | null {
  // comm is in parentheses and may itself hold spaces or parentheses: split at the last ')'.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  return { comm: stat.slice(open + 1, close), fields: stat.slice(close + 2).split(' ') };
}

const isDead = (state: string | undefined) => !state || state === 'Z' || state === 'X' || state === 'x';

/**
 * A live process, else null. A process counts as gone only when none of its threads is alive: a
 * multi-threaded daemon (opendkim) whose main thread has exited shows `Z` in /proc/<pid>/stat while
 * its other threads still hold the listening socket — starting a new one then fails on "address in use".
 */
export async function liveProcess(pid: number): Promise<ProcInfo | null> {
  let parsed: ReturnType<typeof parseStat>;
  try {
    parsed = parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
  if (!parsed) return null;
  const { comm, fields } = parsed;
  const state = fields[0];
  if (isDead(state) && !(await anyThreadAlive(pid))) return null;
  const startTicks = Number(fields[19]);
  const boot = bootTime();
  const startedAt = boot !== null && Number.isFinite(startTicks) ? new Date(boot * 1000 + (startTicks / CLOCK_TICKS) * 1000) : null;
  return { pid, comm, state, startedAt };
}

async function anyThreadAlive(pid: number): Promise<boolean> {
  let tids: string[];
  try {
    tids = await readdir(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  for (const tid of tids) {
    try {
      if (!isDead(parseStat(await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8'))?.fields[0])) return true;
    } catch {
      // thread gone meanwhile
    }
  }
  return false;
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
