import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvLine, MAILBOX_CSV_COLUMNS } from '#contracts';
import { parseMailboxCsv } from './mailbox-csv-parse.js';
import { parseActive, parseQuota } from './import-preview.service.js';

describe('mailbox import CSV reading', () => {
  it('reads what the export writes (quotes, commas, line breaks, BOM, CRLF)', () => {
    const text = `\uFEFF${csvLine(MAILBOX_CSV_COLUMNS)}${csvLine(['a@example.com', 'Comma, "q"\nline', '', 1024, true])}\r\n`;
    assert.deepEqual(parseMailboxCsv(text), [{ address: 'a@example.com', name: 'Comma, "q"\nline', password: '', quota_bytes: '1024', active: 'true' }]);
    assert.deepEqual(parseMailboxCsv(' Username , DOMAIN,password\nbob,example.com,x\n'), [{ username: 'bob', domain: 'example.com', password: 'x' }]);
  });

  it('refuses unknown, repeated or missing columns and broken CSV', () => {
    for (const bad of ['', 'address,bogus\n', 'address,address\n', 'name,password\n', 'address,name\n"open,x\n', 'address,name\na,b,c\n']) {
      assert.throws(() => parseMailboxCsv(bad), { apiCode: 'VALIDATION_FAILED' }, JSON.stringify(bad));
    }
  });

  it('reads quota and active cells', () => {
    assert.deepEqual(
      ['', ' 12 ', 0, null, '-1', '1.5', 'x', 2 ** 60].map((v) => parseQuota(v)),
      [
        { ok: true, value: null },
        { ok: true, value: 12 },
        { ok: true, value: 0 },
        { ok: true, value: null },
        { ok: false },
        { ok: false },
        { ok: false },
        { ok: false },
      ],
    );
    assert.deepEqual(
      ['', 'TRUE', 'no', '0', false, 'maybe', 1].map((v) => parseActive(v)),
      [
        { ok: true, value: true },
        { ok: true, value: true },
        { ok: true, value: false },
        { ok: true, value: false },
        { ok: true, value: false },
        { ok: false },
        { ok: false },
      ],
    );
  });
});
