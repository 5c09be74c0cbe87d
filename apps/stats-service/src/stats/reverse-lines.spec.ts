import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { linesFromEnd } from './reverse-lines.js';

describe('linesFromEnd', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reverse-lines-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const collect = async (content: string, stopAfter = Infinity) => {
    const file = join(dir, `f${Math.random()}`);
    writeFileSync(file, content);
    const out: string[] = [];
    for await (const l of linesFromEnd(file)) {
      out.push(l);
      if (out.length >= stopAfter) break;
    }
    return out;
  };

  it('yields lines last first, across chunk boundaries and multi-byte characters', async () => {
    assert.deepEqual(await collect('a\nb\nc\n'), ['c', 'b', 'a']);
    assert.deepEqual(await collect('a\n\nb'), ['b', 'a'], 'blank lines are skipped, a last line without newline is kept');
    assert.deepEqual(await collect(''), []);
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ✉ ${'x'.repeat(i % 37)}`);
    const got = await collect(`${lines.join('\n')}\n`);
    assert.equal(got.length, lines.length);
    assert.deepEqual(got, [...lines].reverse());
  });

  it('stops early without reading the rest', async () => {
    const big = `${'old line\n'.repeat(200_000)}recent 1\nrecent 2\n`;
    assert.deepEqual(await collect(big, 2), ['recent 2', 'recent 1']);
  });

  it('a missing file rejects with ENOENT', async () => {
    await assert.rejects(
      async () => {
        for await (const _ of linesFromEnd(join(dir, 'nope'))) void _;
      },
      { code: 'ENOENT' },
    );
  });
});
