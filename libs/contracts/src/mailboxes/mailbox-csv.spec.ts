import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvField, csvLine, guardCsvValue, unguardCsvValue } from './mailbox-csv.js';

describe('mailbox CSV writing', () => {
  it('quotes fields holding quotes, commas or line breaks', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(null), '');
    assert.equal(csvField(42), '42');
    assert.equal(csvLine(['a', null, 1, true]), 'a,,1,true\r\n');
  });

  it('guards formulas and round-trips the guard', () => {
    for (const v of ['=SUM(A1)', '+1', '-x@example.com', '@cmd', '\tx', "'quoted", "'=x"]) {
      assert.equal(guardCsvValue(v)[0], "'", v);
      assert.equal(unguardCsvValue(guardCsvValue(v)), v, v);
    }
    for (const v of ['alice@example.com', "o'neil", '']) {
      assert.equal(guardCsvValue(v), v);
      assert.equal(unguardCsvValue(v), v);
    }
    assert.equal(csvField('=1+1,2'), `"'=1+1,2"`);
  });
});
