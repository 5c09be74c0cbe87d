import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  DOMAIN_ENFORCEMENT,
  DOMAIN_FIELDS,
  GLOBAL_ENFORCEMENT,
  GLOBAL_FIELDS,
  MAILBOX_ENFORCEMENT,
  MAILBOX_FIELDS,
  type Enforcement,
  type FieldCatalog,
} from '#contracts';
import { REPO_ROOT } from '../helpers/paths.js';

/**
 * Every configuration field either names the test that proves it acts, or says why it does not act yet
 * (libs/contracts/src/config/field-enforcement.ts). A new field without either fails here.
 */
const TIERS: [string, FieldCatalog, Record<string, Enforcement>][] = [
  ['global', GLOBAL_FIELDS, GLOBAL_ENFORCEMENT],
  ['domain', DOMAIN_FIELDS, DOMAIN_ENFORCEMENT],
  ['mailbox', MAILBOX_FIELDS, MAILBOX_ENFORCEMENT],
];

describe('configuration field enforcement catalog', () => {
  for (const [tier, fields, enforcement] of TIERS) {
    it(`${tier}: every field has a proof or a stated reason, and nothing else is listed`, () => {
      assert.deepEqual(Object.keys(enforcement).sort(), Object.keys(fields).sort());
      for (const [name, e] of Object.entries(enforcement)) {
        if ('pending' in e) {
          assert.ok(e.pending.length > 10, `${tier}.${name}: a pending field needs its reason`);
          continue;
        }
        const file = join(REPO_ROOT, e.proof);
        assert.ok(existsSync(file), `${tier}.${name}: proof ${e.proof} does not exist`);
        assert.ok(readFileSync(file, 'utf8').includes(name), `${tier}.${name}: ${e.proof} never mentions the field`);
        assert.ok(e.by.length > 10, `${tier}.${name}: say how the proof shows the effect`);
      }
    });
  }
});
