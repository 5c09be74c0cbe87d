/**
 * scripts/lib/supervise.sh, the restart loop of `npm start`, driven with a fake app: a shell script
 * that exits with code 3 on its first runs and then stays up.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'mp-supervise-'));
const runs = join(dir, 'runs');
const pidFile = join(dir, 'pid');
const fakeApp = join(dir, 'fake-app.sh');
// Exits 3 on its first four runs; the fifth writes its pid and stays up.
writeFileSync(
  fakeApp,
  `echo run >> ${runs}
n=$(wc -l < ${runs})
echo "hello from run $n"
if [ "$n" -le 4 ]; then exit 3; fi
echo $$ > ${pidFile}
exec sleep 300
`,
);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const start = Date.now(); !check();) {
    if (Date.now() - start > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('scripts/lib/supervise.sh', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('restarts an app that exits, with a doubling back-off up to the cap; TERM stops app and supervisor', async () => {
    const sup = spawn('bash', ['-c', `set -euo pipefail; source scripts/lib/supervise.sh; mp_supervise fake bash ${fakeApp}`], {
      cwd: REPO_ROOT,
      env: { ...process.env, MP_SUPERVISE_MIN_DELAY_MS: '100', MP_SUPERVISE_MAX_DELAY_MS: '300', MP_SUPERVISE_STABLE_MS: '60000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    sup.stdout.on('data', (b: Buffer) => (stdout += b));
    sup.stderr.on('data', (b: Buffer) => (stderr += b));
    const started = Date.now();
    let pid = 0;
    await waitUntil('the fifth run', () => {
      try {
        pid = Number(readFileSync(pidFile, 'utf8'));
        return pid > 0;
      } catch {
        return false;
      }
    });
    // 0.1 + 0.2 + 0.3 + 0.3 s of back-off at least.
    assert.ok(Date.now() - started >= 900, `the back-off was waited (${Date.now() - started} ms)`);
    assert.deepEqual(stderr.trim().split('\n'), [
      '[start] fake exited with code 3; restarting in 0.1s',
      '[start] fake exited with code 3; restarting in 0.2s',
      '[start] fake exited with code 3; restarting in 0.3s',
      '[start] fake exited with code 3; restarting in 0.3s',
    ]);
    await waitUntil('the app output', () => stdout.includes('[fake] hello from run 5'));
    assert.match(stdout, /^\[fake\] hello from run 1$/m, "the app's lines carry its name");
    assert.equal(readFileSync(runs, 'utf8').trim().split('\n').length, 5);
    assert.ok(alive(pid));

    sup.kill('SIGTERM');
    const [code] = (await once(sup, 'exit')) as [number | null];
    assert.equal(code, 0, 'the supervisor ends cleanly');
    await waitUntil('the app to stop', () => !alive(pid), 5000);
    assert.equal(readFileSync(runs, 'utf8').trim().split('\n').length, 5, 'not restarted after TERM');
  });

  it('a TERM during the back-off ends the supervisor at once', async () => {
    rmSync(runs, { force: true });
    const sup = spawn('bash', ['-c', `source scripts/lib/supervise.sh; mp_supervise fake bash -c 'exit 7'`], {
      cwd: REPO_ROOT,
      env: { ...process.env, MP_SUPERVISE_MIN_DELAY_MS: '20000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    sup.stderr.on('data', (b: Buffer) => (stderr += b));
    await waitUntil('the first exit', () => stderr.includes('[start] fake exited with code 7; restarting in 20s'));
    const t = Date.now();
    sup.kill('SIGTERM');
    await once(sup, 'exit');
    assert.ok(Date.now() - t < 2000, 'did not sit out the 20 s back-off');
  });

  it('an app stopped by Ctrl-C (SIGINT, exit 130) is not restarted: the supervisor ends', async () => {
    const sup = spawn('bash', ['-c', `source scripts/lib/supervise.sh; mp_supervise fake bash -c 'exit 130'`], {
      cwd: REPO_ROOT,
      env: { ...process.env, MP_SUPERVISE_MIN_DELAY_MS: '100' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    sup.stderr.on('data', (b: Buffer) => (stderr += b));
    const [code] = (await once(sup, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.equal(stderr, '', 'no restart announced');
  });
});
