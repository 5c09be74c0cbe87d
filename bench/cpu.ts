import { readdirSync, readFileSync } from 'node:fs';

/** CPU accounting from Linux /proc, shared by the bench sections. */

let clockTicks = 100;
/** The kernel's USER_HZ (getconf CLK_TCK), which /proc/<pid>/stat and /proc/stat count in. */
export function setClockTicks(n: number): void {
  clockTicks = n;
}

/**
 * user+system CPU of a process so far, in ms (Linux /proc; NaN elsewhere); with `reapedChildren`
 * also that of its children that have exited and been waited for.
 */
export function cpuMsOf(pid: number | undefined, reapedChildren = false): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name; utime, stime, cutime, cstime are fields 14-17.
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return ((f[11] + f[12] + (reapedChildren ? f[13] + f[14] : 0)) * 1000) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU ms of every local process named `postgres` (server, backends, background workers), including
 * backends that exited (pools close idle connections), which the postmaster's reaped-children time
 * holds; NaN if there is no local PostgreSQL.
 */
export function postgresCpuMs(): number {
  let total = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^[0-9]+$/.test(d));
  } catch {
    return Number.NaN;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      found = true;
      total += cpuMsOf(Number(pid), true);
    } catch {
      // gone meanwhile
    }
  }
  return found ? total : Number.NaN;
}

/** Machine-wide CPU ms since boot (all cores) from /proc/stat: busy (incl. irq), idle (incl. iowait), steal. */
export function machineCpuMs(): { busy: number; idle: number; steal: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map((v) => (Number(v) * 1000) / clockTicks);
    return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
  } catch {
    return { busy: Number.NaN, idle: Number.NaN, steal: Number.NaN };
  }
}

/**
 * Share of the machine's busy CPU time between two calls that went to processes other than the
 * given ones, local postgres and this process (worker threads included): a noise indicator.
 */
export function otherCpuMeter(pids: () => (number | undefined)[]): () => { otherPct: number; idlePct: number } {
  const snap = () => ({
    procs: pids().reduce<number>((sum, pid) => sum + (cpuMsOf(pid) || 0), 0),
    postgres: postgresCpuMs() || 0,
    self: process.cpuUsage(),
    machine: machineCpuMs(),
  });
  const before = snap();
  return () => {
    const after = snap();
    const self = process.cpuUsage(before.self);
    const busy = after.machine.busy - before.machine.busy;
    const idle = after.machine.idle - before.machine.idle;
    const steal = after.machine.steal - before.machine.steal;
    const own = after.procs - before.procs + (after.postgres - before.postgres) + (self.user + self.system) / 1000;
    return { otherPct: (100 * Math.max(0, busy - own)) / busy, idlePct: (100 * idle) / (busy + idle + steal) };
  };
}
