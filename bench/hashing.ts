import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { BLF_CRYPT_COST, hashMailPassword, MAIL_PASSWORD_SCHEMES, SHA512_CRYPT_ROUNDS, type MailPasswordScheme } from '#mailstack';
import { otherCpuMeter } from './cpu.js';
import { num, table } from './format.js';

/**
 * Hashing section of `npm run bench`: hashes/s of each Dovecot scheme through the real
 * hashMailPassword of libs/mailstack, in this process, with as many hashes in flight as the
 * service's off-loop executor runs at once (libuv's pool for argon2, the crypt worker pool for the
 * rest), and with one in flight (the latency one create pays).
 */

export interface HashingSettings {
  /** Measured seconds per scheme and concurrency. */
  seconds: number;
}

const PASSWORD = 'Bench-Pass-2024!x';

const PARAMETERS: Record<MailPasswordScheme, string> = {
  ARGON2ID: 'argon2id m=19456 KiB, t=2, p=1',
  'BLF-CRYPT': `bcrypt (bcryptjs) cost ${BLF_CRYPT_COST}`,
  'SHA512-CRYPT': `sha512-crypt (JS) rounds=${SHA512_CRYPT_ROUNDS}`,
  SSHA512: 'salted SHA-512, 1 round',
};

/** What the service runs concurrently; mirrors libuv's default and cryptPool() in mail-password.ts. */
function executorConcurrency(scheme: MailPasswordScheme): { n: number; executor: string } {
  if (scheme === 'ARGON2ID') {
    const n = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    return { n, executor: `libuv pool (${n})` };
  }
  const n = Math.max(1, Math.min(4, availableParallelism() - 1));
  return { n, executor: `crypt workers (${n})` };
}

/** Closed loop: `concurrency` hashes always in flight for `seconds`; hashes/s and mean ms per hash. */
async function run(
  scheme: MailPasswordScheme,
  concurrency: number,
  seconds: number,
): Promise<{ count: number; perSecond: number; meanMs: number; otherPct: number; idlePct: number }> {
  const done = otherCpuMeter(() => []);
  const start = performance.now();
  const end = start + seconds * 1000;
  let count = 0;
  let busyMs = 0;
  const loop = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const hash = await hashMailPassword(PASSWORD, scheme);
      busyMs += performance.now() - t0;
      if (!hash.startsWith(`{${scheme}}`)) throw new Error(`${scheme}: unexpected hash ${hash.slice(0, 40)}`);
      count++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - start) / 1000;
  return { count, perSecond: count / elapsed, meanMs: busyMs / count, ...done() };
}

export async function runHashing(s: HashingSettings): Promise<void> {
  const rows: string[][] = [];
  const noisy: string[] = [];
  for (const scheme of MAIL_PASSWORD_SCHEMES) {
    const { n, executor } = executorConcurrency(scheme);
    await hashMailPassword(PASSWORD, scheme); // starts the worker / loads the addon
    console.log(`[bench] hashing ${scheme}: ${s.seconds} s with ${n} in flight, ${s.seconds} s with 1`);
    const par = await run(scheme, n, s.seconds);
    const one = n === 1 ? par : await run(scheme, 1, s.seconds);
    rows.push([
      scheme,
      PARAMETERS[scheme],
      executor,
      num(par.perSecond, par.perSecond < 100 ? 1 : 0),
      num(par.meanMs, 2),
      num(one.perSecond, one.perSecond < 100 ? 1 : 0),
      num(one.meanMs, 2),
      n === 1 ? num(par.otherPct, 0) : `${num(par.otherPct, 0)} / ${num(one.otherPct, 0)}`,
    ]);
    // Only a problem when they competed for the CPU: with one worker on two cores they need not.
    if ([par, one].some((r) => r.otherPct > 10 && r.idlePct < 10)) noisy.push(scheme);
  }
  console.log(
    [
      '',
      `=== Mailbox password hashing: hashMailPassword() of libs/mailstack, ${s.seconds} s per row, ${availableParallelism()} CPUs (availableParallelism) ===`,
      'in flight = what mailbox-service runs at once off its event loop; ms/hash = mean latency of one hash at that concurrency;',
      "other CPU % = share of the machine's busy CPU time not used by this process or postgres (in flight / @1)",
      '',
      table(['scheme', 'parameters', 'in flight (executor)', 'hashes/s', 'ms/hash', 'hashes/s @1', 'ms/hash @1', 'other CPU %'], rows),
      ...(noisy.length
        ? [
            `WARNING: other programs used over 10% of the busy CPU of a saturated machine during ${noisy.join(', ')}; those figures are low, rerun on a quiet machine.`,
          ]
        : []),
    ].join('\n'),
  );
}
