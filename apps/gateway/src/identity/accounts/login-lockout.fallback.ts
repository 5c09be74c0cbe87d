import { LRUCache } from 'lru-cache';

interface Entry {
  fails: number;
  /** Lock end (epoch ms), 0 = not locked. */
  until: number;
}

/**
 * The lockout counters of this replica alone, used while Redis cannot answer: the same rules as the
 * Redis scripts in login-lockout.service.ts (count before the check, a lock doubling from the
 * threshold on, forget after an hour), so an outage of Redis never turns the lockout off.
 */
export class InProcessLockout {
  private readonly entries: LRUCache<string, Entry>;

  constructor(forgetAfterMs: number) {
    this.entries = new LRUCache<string, Entry>({ max: 100_000, ttl: forgetAfterMs });
  }

  /** As BEGIN_SCRIPT: [index of a locked key (1-based), its lock end] or [0, lock end set per key...]. */
  begin(keys: string[], now: number, baseDelayMs: number, capMs: number, forgetAfterMs: number, thresholds: number[]): number[] {
    for (let i = 0; i < keys.length; i++) {
      const until = this.entries.get(keys[i])?.until ?? 0;
      if (until > now) return [i + 1, until];
    }
    const out = [0];
    keys.forEach((key, i) => {
      const e = this.entries.get(key) ?? { fails: 0, until: 0 };
      e.fails += 1;
      let until = 0;
      if (e.fails >= thresholds[i]) {
        until = now + Math.min(baseDelayMs * 2 ** Math.min(e.fails - thresholds[i], 30), capMs);
        e.until = until;
      }
      this.entries.set(key, e, { ttl: Math.max(forgetAfterMs, until - now) });
      out.push(until);
    });
    return out;
  }

  /** As TAKE_BACK_SCRIPT: one failure fewer, and the lock this attempt set lifted unless a later one set another. */
  takeBack(keys: string[], setUntil: string[]): void {
    keys.forEach((key, i) => {
      const e = this.entries.get(key);
      if (!e) return;
      e.fails = Math.max(0, e.fails - 1);
      if (setUntil[i] !== '0' && String(e.until) === setUntil[i]) e.until = 0;
    });
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
