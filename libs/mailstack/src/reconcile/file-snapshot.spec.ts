import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileSnapshot, listFiles } from './file-snapshot.js';

describe('FileSnapshot', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mp-snap-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes only what differs and restores every touched file, new ones removed', async () => {
    const a = join(dir, 'a.cf');
    const b = join(dir, 'b.cf');
    const gone = join(dir, 'gone.private');
    await writeFile(a, 'old a\n', { mode: 0o640 });
    await writeFile(gone, 'key\n', { mode: 0o600 });
    const snap = new FileSnapshot();
    assert.equal(await snap.write({ path: a, content: 'old a\n', mode: 0o640 }), false, 'same content and mode: untouched');
    assert.equal(await snap.write({ path: a, content: 'new a\n', mode: 0o640 }), true);
    assert.equal(await snap.write({ path: b, content: 'b\n', mode: 0o600 }), true);
    assert.equal(await snap.remove(gone), true);
    assert.equal(await snap.remove(join(dir, 'never')), false);
    assert.equal(await readFile(a, 'utf8'), 'new a\n');
    assert.equal((await stat(b)).mode & 0o777, 0o600);
    assert.deepEqual(snap.touched.sort(), [a, b, gone].sort());

    await snap.restore();
    assert.equal(await readFile(a, 'utf8'), 'old a\n');
    assert.equal((await stat(a)).mode & 0o777, 0o640);
    await assert.rejects(stat(b), { code: 'ENOENT' });
    assert.equal(await readFile(gone, 'utf8'), 'key\n');
    assert.deepEqual(
      (await listFiles(dir)).filter((f) => f.includes('mailplane-tmp')),
      [],
      'no temp files left',
    );
  });

  it('forgets a remembered file another program left unchanged', async () => {
    const c = join(dir, 'main.cf');
    await writeFile(c, 'x = 1\n');
    const snap = new FileSnapshot();
    await snap.remember(c);
    assert.equal(await snap.forgetIfUnchanged(c), true);
    await snap.remember(c);
    await writeFile(c, 'x = 2\n');
    assert.equal(await snap.forgetIfUnchanged(c), false);
    await snap.restore();
    assert.equal(await readFile(c, 'utf8'), 'x = 1\n');
  });
});
