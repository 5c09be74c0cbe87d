import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditDiff } from './audit-diff.js';

describe('audit diff', () => {
  it('lists only changed leaves, nested objects by dotted path, arrays as whole values', () => {
    const before = { id: 'x', active: true, limits: { max_domains: 5, max_mailboxes: null }, scopes: ['a', 'b'], same: [1, { k: 2 }] };
    const after = { id: 'x', active: false, limits: { max_domains: 10, max_mailboxes: null }, scopes: ['a'], same: [1, { k: 2 }] };
    assert.deepEqual(auditDiff(before, after), {
      active: { before: true, after: false },
      'limits.max_domains': { before: 5, after: 10 },
      scopes: { before: ['a', 'b'], after: ['a'] },
    });
  });

  it('a field on one side only is reported against null; an object replacing a scalar is one entry', () => {
    assert.deepEqual(auditDiff({ a: 1, o: 'x' }, { b: 2, o: { k: 1 } }), {
      a: { before: 1, after: null },
      o: { before: 'x', after: { k: 1 } },
      b: { before: null, after: 2 },
    });
  });

  it('no diff unless both states are objects; identical states give an empty diff', () => {
    assert.equal(auditDiff(null, { a: 1 }), null);
    assert.equal(auditDiff({ a: 1 }, null), null);
    assert.equal(auditDiff([1], [2]), null);
    assert.deepEqual(auditDiff({ a: { b: [1] } }, { a: { b: [1] } }), {});
  });
});
