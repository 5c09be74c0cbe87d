import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('serves an entry until its deadline', async () => {
    const c = new TtlCache<string, number>(50);
    c.set('a', 1);
    assert.equal(c.get('a'), 1);
    await new Promise((r) => setTimeout(r, 70));
    assert.equal(c.get('a'), undefined);
  });

  it('caches nothing with a zero TTL, and forgets on delete', () => {
    const off = new TtlCache<string, number>(0);
    off.set('a', 1);
    assert.equal(off.get('a'), undefined);
    const on = new TtlCache<string, number>(10_000);
    on.set('a', 1);
    on.delete('a');
    assert.equal(on.get('a'), undefined);
  });

  it('stays bounded', () => {
    const c = new TtlCache<number, number>(10_000, 10);
    for (let i = 0; i < 25; i++) c.set(i, i);
    assert.equal(c.get(24), 24);
    assert.equal(c.get(0), undefined);
  });
});
