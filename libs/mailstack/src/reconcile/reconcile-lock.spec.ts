import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { acquireReconcileLock } from './reconcile-lock.js';

describe('reconcile lock', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mp-lock-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serialises holders and takes over a lock left by a dead process', async () => {
    const path = join(dir, 'lock');
    const order: string[] = [];
    const release1 = await acquireReconcileLock(path);
    const second = acquireReconcileLock(path).then((release) => {
      order.push('second');
      return release;
    });
    await new Promise((r) => setTimeout(r, 250));
    order.push('first done');
    await release1();
    const release2 = await second;
    assert.deepEqual(order, ['first done', 'second']);
    await release2();
    await assert.rejects(stat(path), { code: 'ENOENT' });

    await writeFile(path, '999999999:stale');
    const release3 = await acquireReconcileLock(path, 1000);
    assert.match(await readFile(path, 'utf8'), new RegExp(`^${process.pid}:`));
    await release3();
  });

  it('gives up after the timeout while a live process holds it', async () => {
    const path = join(dir, 'held');
    await writeFile(path, `1:init`);
    await assert.rejects(acquireReconcileLock(path, 300), /another reconcile \(pid 1\)/);
  });
});
