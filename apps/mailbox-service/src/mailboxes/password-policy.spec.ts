import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MailboxSettings } from '../config/mailbox-settings.js';
import { passwordPolicyProblems } from './password-policy.js';

const S: MailboxSettings = { passwordScheme: 'ARGON2ID', passwordMinLength: 10, passwordMinClasses: 3 };
const rules = (pw: string, local = 'alice', s = S) => passwordPolicyProblems(pw, local, s).map((f) => /\((\w+)\)$/.exec(f.message)![1]);

describe('mailbox password policy', () => {
  it('accepts a long password mixing three classes', () => {
    assert.deepEqual(rules('Correct-horse'), []);
    assert.deepEqual(rules('correct horse 9'), []);
  });

  it('names each broken rule', () => {
    assert.deepEqual(rules('Sh0rt!'), ['min_length']);
    assert.deepEqual(rules('alllowercaseletters'), ['min_classes']);
    assert.deepEqual(rules('My-ALICE-pass1'), ['contains_local_part']);
    assert.deepEqual(rules('abc'), ['min_length', 'min_classes']);
    assert.deepEqual(rules('A-b1'.repeat(20), 'bob', { ...S, passwordScheme: 'BLF-CRYPT' }), ['max_bytes']);
  });

  it('ignores very short local parts and counts characters, not bytes', () => {
    assert.deepEqual(rules('Jo-secret-42', 'jo'), []);
    assert.deepEqual(rules('Üäöß-1ÄÖÜ', 'x', { ...S, passwordMinLength: 9 }), []);
  });
});
