import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StepLog } from './step-log.js';

describe('StepLog', () => {
  it('records outcome, detail and duration of each step and reports growing progress', async () => {
    const seen: [number, string][] = [];
    const log = new StepLog(4, (p, s) => seen.push([p, `${s.name}:${s.outcome}`]));
    await log.run('a', async () => 'unchanged');
    await log.run('b', async () => ['changed', 'main.cf']);
    await assert.rejects(
      log.run('c', async () => {
        throw new Error('postfix check failed: fatal: x');
      }),
      /fatal: x/,
    );
    log.record('rollback', 'rolled_back', performance.now());
    assert.deepEqual(seen, [
      [25, 'a:unchanged'],
      [50, 'b:changed'],
      [75, 'c:failed'],
      [100, 'rollback:rolled_back'],
    ]);
    assert.equal(log.steps[1].detail, 'main.cf');
    assert.equal(log.steps[2].detail, 'postfix check failed: fatal: x');
    assert.ok(log.steps.every((s) => Number.isInteger(s.duration_ms) && s.duration_ms >= 0));
    assert.equal('detail' in log.steps[0], false);
  });
});
