import argon2 from 'argon2';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CryptTask } from './crypt.worker.js';

/** Dovecot password schemes Mailplane can write (docs/architecture.md#data). */
export const MAIL_PASSWORD_SCHEMES = ['ARGON2ID', 'BLF-CRYPT', 'SHA512-CRYPT', 'SSHA512'] as const;
export type MailPasswordScheme = (typeof MAIL_PASSWORD_SCHEMES)[number];

/** bcrypt cost (2^11 iterations). */
export const BLF_CRYPT_COST = 11;
/** SHA-crypt rounds; above glibc's 5000 default, still fast enough for a pure-JS implementation. */
export const SHA512_CRYPT_ROUNDS = 50_000;
/** bcrypt reads only the first 72 bytes of a password. */
export const BLF_CRYPT_MAX_BYTES = 72;

/**
 * Argon2id as Dovecot checks it through libsodium: parallelism must be 1, the salt 16 bytes.
 * Memory and time follow OWASP's minimum for argon2id (19 MiB, 2 passes).
 */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1, saltLength: 16 } as const;

/** A small pool of worker threads for the schemes that are plain CPU work in JavaScript. */
class CryptPool {
  private workers: Worker[] = [];
  private next = 0;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (h: string) => void; reject: (e: Error) => void; worker: Worker }>();

  constructor(private readonly size: number) {}

  run(task: Omit<CryptTask, 'id'>): Promise<string> {
    if (this.workers.length < this.size) this.workers.push(this.spawn());
    const worker = this.workers[this.next++ % this.workers.length];
    const id = ++this.seq;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      worker.ref();
      worker.postMessage({ ...task, id } satisfies CryptTask);
    });
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./crypt.worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (msg: { id: number; hash?: string; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (![...this.pending.values()].some((o) => o.worker === worker)) worker.unref();
      if (msg.hash !== undefined) p.resolve(msg.hash);
      else p.reject(new Error(msg.error ?? 'password hashing failed'));
    });
    const fail = (err: Error) => {
      this.workers = this.workers.filter((w) => w !== worker);
      for (const [id, p] of this.pending) {
        if (p.worker !== worker) continue;
        this.pending.delete(id);
        p.reject(err);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`password worker exited with code ${code}`)));
    return worker;
  }
}

/**
 * The argon2 package writes the parameters as `m=…,p=…,t=…`; libsodium (and so Dovecot) only parses
 * `m=…,t=…,p=…` and answers "Password mismatch" otherwise. Same hash, reference order.
 */
export function libsodiumParamOrder(phc: string): string {
  const parts = phc.split('$');
  const params = new Map(parts[3]?.split(',').map((kv) => kv.split('=') as [string, string]));
  if (parts.length !== 6 || !params.has('m') || !params.has('t') || !params.has('p')) throw new Error('unexpected argon2 hash format');
  parts[3] = `m=${params.get('m')},t=${params.get('t')},p=${params.get('p')}`;
  return parts.join('$');
}

let pool: CryptPool | undefined;
function cryptPool(): CryptPool {
  return (pool ??= new CryptPool(Math.max(1, Math.min(4, availableParallelism() - 1))));
}

/**
 * Hashes a mailbox password in a Dovecot scheme; the result carries the `{SCHEME}` prefix and
 * verifies with `doveadm pw -t`. Never runs the hash on the event loop: argon2 uses libuv's
 * thread pool, the others a worker thread.
 */
export async function hashMailPassword(password: string, scheme: MailPasswordScheme): Promise<string> {
  switch (scheme) {
    case 'ARGON2ID':
      return `{ARGON2ID}${libsodiumParamOrder(await argon2.hash(password, ARGON2_OPTIONS))}`;
    case 'BLF-CRYPT':
      return `{BLF-CRYPT}${await cryptPool().run({ scheme, password, work: BLF_CRYPT_COST })}`;
    case 'SHA512-CRYPT':
      return `{SHA512-CRYPT}${await cryptPool().run({ scheme, password, work: SHA512_CRYPT_ROUNDS })}`;
    case 'SSHA512':
      return `{SSHA512}${await cryptPool().run({ scheme, password })}`;
  }
}
