import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT_PASSWORD_RULES, passwordClassCount, passwordLength, passwordProblems } from './password-policy.js';

const rules = (pw: string, r = ACCOUNT_PASSWORD_RULES) => passwordProblems(pw, r).map((p) => p.rule);

describe('the password policy (accounts and mailboxes alike)', () => {
  it('counts code points after NFC, not UTF-16 units or bytes', () => {
    assert.equal(passwordLength('e\u0301'), 1, 'e + combining acute is é');
    assert.equal(passwordLength('😀😀'), 2);
    assert.deepEqual(rules('Ab1-😀😀😀😀😀😀😀'), ['min_length'], '11 characters, though 18 UTF-16 units');
  });

  it('judges letters by Unicode category: non-ASCII letters count as lower/upper case', () => {
    assert.equal(passwordClassCount('ÜÄÖßäöü'), 2);
    assert.deepEqual(rules('Ünïcødé-pässwörd'), []);
    assert.deepEqual(rules('ünïcødépässwörd'), ['min_classes']);
  });

  it('names each broken rule', () => {
    assert.deepEqual(rules('short'), ['min_length', 'min_classes']);
    assert.deepEqual(rules('A1-'.repeat(100)), ['max_length']);
    assert.deepEqual(rules('Alice-Secret-9', { minLength: 8, minClasses: 3, notContaining: 'alice' }), ['contains_local_part']);
    assert.deepEqual(rules('A-b1'.repeat(20), { minLength: 8, minClasses: 3, maxUtf8Bytes: 72 }), ['max_bytes']);
  });

  it('never repeats the password in a message', () => {
    const pw = 'Hunter2-is-not-long';
    for (const p of passwordProblems(pw, { minLength: 100, maxLength: 5, minClasses: 4, notContaining: 'hunter', maxUtf8Bytes: 1 })) {
      assert.ok(!p.message.includes(pw) && !p.message.includes('Hunter2'));
    }
  });
});
