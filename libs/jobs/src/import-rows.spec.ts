import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JOB_TYPES } from '#contracts';
import { createBodyOf, importRowsOf } from './import-rows.js';
import { JOB_NAMES } from './job-names.js';
import { jobsPrefix } from './redis-connection.js';

describe('import rows', () => {
  it('reads CSV like the preview: lower-cased trimmed header, one object per data row', () => {
    const rows = importRowsOf({ csv: '\uFEFF Address ,Name,password\r\na@x.example,"A, B",pw\r\n\r\nb@x.example,,pw2\r\n' });
    assert.deepEqual(rows, [
      { address: 'a@x.example', name: 'A, B', password: 'pw' },
      { address: 'b@x.example', name: '', password: 'pw2' },
    ]);
    assert.deepEqual(importRowsOf({ rows: [{ address: 'c@x.example' }] }), [{ address: 'c@x.example' }]);
  });

  it('turns a row into the POST /mailboxes body: trimmed, formula guard removed, blanks inherit', () => {
    assert.deepEqual(createBodyOf({ address: ' a@x.example ', name: "'=SUM(1)", password: ' pw ', quota_bytes: ' 1024 ', active: 'No' }), {
      username: 'a@x.example',
      name: '=SUM(1)',
      password: ' pw ',
      quota_bytes: 1024,
      active: false,
    });
    assert.deepEqual(createBodyOf({ username: 'bob', domain: 'x.example', password: 'pw', quota_bytes: '', active: '' }), {
      username: 'bob',
      domain: 'x.example',
      password: 'pw',
    });
    assert.deepEqual(createBodyOf({ address: 'c@x.example', password: 'pw', quota_bytes: 5, active: true }), {
      username: 'c@x.example',
      password: 'pw',
      quota_bytes: 5,
      active: true,
    });
  });

  it('the API’s job types are the queue’s job names; queue keys are named after the database', () => {
    assert.deepEqual([...JOB_TYPES].sort(), [...JOB_NAMES].sort());
    assert.equal(jobsPrefix('postgres://u:p@h:5432/mailplane_prod'), 'mailplane:mailplane_prod');
  });
});
