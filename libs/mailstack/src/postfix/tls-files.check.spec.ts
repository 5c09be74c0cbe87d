import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkTlsFiles } from './tls-files.check.js';

describe('TLS file check', () => {
  let dir: string;
  const selfSigned = (name: string) => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=mail.example.test',
        '-keyout',
        join(dir, `${name}.key`),
        '-out',
        join(dir, `${name}.crt`),
      ],
      { stdio: 'ignore' },
    );
    return { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mp-tls-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts a certificate with its key and refuses a mismatched, missing or broken one', async () => {
    const a = selfSigned('a');
    const b = selfSigned('b');
    await checkTlsFiles(a);
    await assert.rejects(checkTlsFiles({ certFile: a.certFile, keyFile: b.keyFile }), /does not belong/);
    await assert.rejects(checkTlsFiles({ certFile: join(dir, 'none.crt'), keyFile: a.keyFile }), /not readable PEM/);
    await writeFile(join(dir, 'bad.key'), 'not a key');
    await assert.rejects(checkTlsFiles({ certFile: a.certFile, keyFile: join(dir, 'bad.key') }), /not a readable private key/);
  });
});
