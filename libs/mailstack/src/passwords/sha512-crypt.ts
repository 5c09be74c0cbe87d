import { createHash, randomBytes } from 'node:crypto';

/**
 * SHA-512 crypt (`$6$`), as specified by Ulrich Drepper ("Unix crypt using SHA-256 and SHA-512",
 * the algorithm glibc's crypt(3) and Dovecot's SHA512-CRYPT use). Synchronous and CPU-bound: call
 * it from a worker thread (see mail-password.ts), never on the event loop.
 */
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const SHA512_CRYPT_DEFAULT_ROUNDS = 5000;
const ROUNDS_MIN = 1000;
const ROUNDS_MAX = 999_999_999;
const SALT_MAX = 16;

function sha512(...parts: Buffer[]): Buffer {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** `len` bytes of `block` repeated. */
function repeatTo(block: Buffer, len: number): Buffer {
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i += block.length) block.copy(out, i, 0, Math.min(block.length, len - i));
  return out;
}

function b64From24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let s = '';
  for (let i = 0; i < n; i++) {
    s += ITOA64[w & 0x3f];
    w >>>= 6;
  }
  return s;
}

/**
 * Hashes `password` with `salt` (at most 16 characters are used, `$` and `:` not allowed) and
 * `rounds` (clamped to 1000..999999999 as the spec says). `rounds` undefined = the spec's default
 * 5000 without a `rounds=` field in the output.
 */
export function sha512Crypt(password: string | Buffer, salt: string, rounds?: number): string {
  const P = Buffer.isBuffer(password) ? password : Buffer.from(password, 'utf8');
  const saltStr = salt.slice(0, SALT_MAX);
  if (/[$:\n]/.test(saltStr)) throw new Error('salt must not contain $, : or newline');
  const S = Buffer.from(saltStr, 'utf8');
  const r = rounds === undefined ? SHA512_CRYPT_DEFAULT_ROUNDS : Math.min(ROUNDS_MAX, Math.max(ROUNDS_MIN, Math.floor(rounds)));

  const B = sha512(P, S, P);
  const aCtx = createHash('sha512').update(P).update(S);
  let cnt = P.length;
  for (; cnt > 64; cnt -= 64) aCtx.update(B);
  aCtx.update(B.subarray(0, cnt));
  for (cnt = P.length; cnt > 0; cnt >>= 1) aCtx.update(cnt & 1 ? B : P);
  let A = aCtx.digest();

  const dpCtx = createHash('sha512');
  for (let i = 0; i < P.length; i++) dpCtx.update(P);
  const Pp = repeatTo(dpCtx.digest(), P.length);
  const dsCtx = createHash('sha512');
  for (let i = 0; i < 16 + A[0]; i++) dsCtx.update(S);
  const Sp = repeatTo(dsCtx.digest(), S.length);

  for (let i = 0; i < r; i++) {
    const c = createHash('sha512');
    c.update(i & 1 ? Pp : A);
    if (i % 3) c.update(Sp);
    if (i % 7) c.update(Pp);
    c.update(i & 1 ? A : Pp);
    A = c.digest();
  }

  let out = '';
  for (let i = 0; i < 21; i++) {
    const a = A[i],
      b = A[i + 21],
      c = A[i + 42];
    out += i % 3 === 0 ? b64From24(a, b, c, 4) : i % 3 === 1 ? b64From24(b, c, a, 4) : b64From24(c, a, b, 4);
  }
  out += b64From24(0, 0, A[63], 2);
  return `$6$${rounds === undefined ? '' : `rounds=${r}$`}${saltStr}$${out}`;
}

/** 16 random characters from the crypt alphabet. */
export function cryptSalt(length = SALT_MAX): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += ITOA64[b & 0x3f];
  return s;
}
