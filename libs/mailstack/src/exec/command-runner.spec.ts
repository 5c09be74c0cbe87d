import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findBinary, MailstackMissingError, requireBinary, runCommand } from './command-runner.js';

describe('command runner', () => {
  it('finds programs on the configured path only', () => {
    assert.equal(findBinary('sh', '/nonexistent:/bin'), '/bin/sh');
    assert.equal(findBinary('sh', '/nonexistent'), null);
    assert.throws(
      () => requireBinary('postqueue', '/nonexistent'),
      (e: unknown) => e instanceof MailstackMissingError && /Postfix/.test(e.message),
    );
  });

  it('passes arguments verbatim (no shell) and reports exit codes', async () => {
    const r = await runCommand('/bin/echo', ['$(id)', ';', 'x']);
    assert.equal(r.stdout, '$(id) ; x\n');
    assert.equal((await runCommand('/bin/sh', ['-c', 'echo oops >&2; exit 3'])).code, 3);
    assert.equal((await runCommand('/bin/cat', [], { input: 'in' })).stdout, 'in');
    await assert.rejects(runCommand('/bin/sleep', ['5'], { timeoutMs: 100 }), /timed out/);
    await assert.rejects(runCommand('/nonexistent/prog', []));
  });
});
