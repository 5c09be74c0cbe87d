import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { liveProcess, readPidFile } from './process-state.js';
import { parseServiceCommands } from './service-definitions.js';

describe('MAILSTACK_SERVICE_COMMANDS', () => {
  it('accepts argv arrays and signals per service and action', () => {
    assert.deepEqual(parseServiceCommands(undefined), {});
    assert.deepEqual(parseServiceCommands('  '), {});
    assert.deepEqual(
      parseServiceCommands(
        '{"opendkim":{"start":["/usr/sbin/opendkim","-x","/etc/opendkim.conf"],"stop":{"signal":"SIGTERM"}},"postfix":{"restart":["postfix","reload"]}}',
      ),
      { opendkim: { start: ['/usr/sbin/opendkim', '-x', '/etc/opendkim.conf'], stop: { signal: 'SIGTERM' } }, postfix: { restart: ['postfix', 'reload'] } },
    );
  });

  it('refuses bad shapes with a message naming the culprit', () => {
    assert.throws(() => parseServiceCommands('{'), SyntaxError);
    assert.throws(() => parseServiceCommands('[]'), /JSON object/);
    assert.throws(() => parseServiceCommands('{"sshd":{}}'), /unknown service sshd/);
    assert.throws(() => parseServiceCommands('{"postfix":{"explode":["x"]}}'), /unknown action explode/);
    assert.throws(() => parseServiceCommands('{"postfix":{"start":[]}}'), /postfix\.start/);
    assert.throws(() => parseServiceCommands('{"postfix":{"start":"postfix start"}}'), /postfix\.start/);
    assert.throws(() => parseServiceCommands('{"postfix":{"stop":{"signal":"TERM; rm -rf /"}}}'), /postfix\.stop/);
  });
});

describe('process state from /proc', () => {
  it('sees a live process, and a dead one as gone', async () => {
    const self = await liveProcess(process.pid);
    assert.equal(self?.pid, process.pid);
    assert.ok(self && self.startedAt && self.startedAt.getTime() <= Date.now() && Date.now() - self.startedAt.getTime() < 3_600_000);
    const child = spawn('/bin/sleep', ['30']);
    assert.equal((await liveProcess(child.pid!))?.comm, 'sleep');
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.equal(await liveProcess(child.pid!), null);
    assert.equal(await readPidFile('/nonexistent/pid'), null);
  });
});
