import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { hashMailPassword, MAIL_PASSWORD_SCHEMES } from './mail-password.js';

const exec = promisify(execFile);

/** `doveadm pw -t HASH -p PASSWORD`: Dovecot's own verdict (exit 0 and "(verified)" on a match). */
async function doveadmVerifies(hash: string, password: string): Promise<boolean> {
  try {
    const { stdout, stderr } = await exec('doveadm', ['pw', '-t', hash, '-p', password], {
      env: { ...process.env, PATH: `${process.env.PATH}:/usr/bin:/usr/sbin` },
    });
    return /\(verified\)/.test(stdout + stderr);
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('doveadm is not installed (scripts/lib/setup.sh mp_setup_for_tests installs dovecot-core)');
    if (/mismatch/i.test(e.stderr ?? '')) return false;
    throw err;
  }
}

describe('mailbox password schemes verified by Dovecot (doveadm pw -t)', () => {
  const password = 'Corr3ct-Horse:Battery $taple ü';
  for (const scheme of MAIL_PASSWORD_SCHEMES) {
    it(`${scheme}: stored value carries {${scheme}}, verifies, and a wrong password fails`, async () => {
      const hash = await hashMailPassword(password, scheme);
      assert.ok(hash.startsWith(`{${scheme}}`), hash);
      if (scheme === 'ARGON2ID') assert.match(hash, /^\{ARGON2ID\}\$argon2id\$v=19\$m=\d+,t=\d+,p=1\$/);
      if (scheme === 'BLF-CRYPT') assert.match(hash, /^\{BLF-CRYPT\}\$2b\$11\$/);
      if (scheme === 'SHA512-CRYPT') assert.match(hash, /^\{SHA512-CRYPT\}\$6\$rounds=\d+\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
      assert.equal(await doveadmVerifies(hash, password), true, `doveadm rejects ${hash}`);
      assert.equal(await doveadmVerifies(hash, `${password}x`), false, 'a wrong password must fail');
      assert.notEqual(await hashMailPassword(password, scheme), hash, 'every hash has its own salt');
    });
  }

  it('hashing runs off the event loop (a timer keeps firing while bcrypt works)', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await Promise.all(Array.from({ length: 4 }, () => hashMailPassword('Some-Password-1', 'BLF-CRYPT')));
    clearInterval(timer);
    assert.ok(ticks >= 5, `event loop was blocked (${ticks} ticks)`);
  });
});
