import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidQueueId } from './queue-id.js';

describe('Postfix queue id validation', () => {
  it('accepts short (hex) and long (base-52, z-separated) ids', () => {
    for (const id of ['4F2A81C0D3', 'C8D33E07DCF', 'ABCDEF', '0123456789ABCDEF', '4bQ1Lf5Fdbz8Yj7', '3Pt2mN2VXxznjll', '4NZRP0NbY3z1BdT']) {
      assert.equal(isValidQueueId(id), true, id);
    }
  });

  it('refuses everything postsuper would treat specially or that is not an id', () => {
    for (const id of [
      'ALL',
      '-',
      '-d',
      '',
      'abc',
      'ABCDE',
      'abcdef1234',
      '4f2a81c0d3',
      '4F2A81C0D3 ',
      ' 4F2A81C0D3',
      '4F2A81C0D3\n',
      '../../etc/passwd',
      '4F2A*',
      '4F2A81C0D3!',
      // long-id shapes: vowels are not in the alphabet; no separator; time part shorter than 10; z in the inode part is impossible (base 51)
      '4bQ1Lf5Fdbz8Aj7',
      '4bQ1Lf5Fdbx8Yj7',
      '4bQ1Lfz8Yj7',
      '4bQ1Lf5Fdbz',
      'A'.repeat(41),
      'B'.repeat(30),
    ]) {
      assert.equal(isValidQueueId(id), false, JSON.stringify(id));
    }
    assert.equal(isValidQueueId(42), false);
    assert.equal(isValidQueueId(null), false);
  });
});
