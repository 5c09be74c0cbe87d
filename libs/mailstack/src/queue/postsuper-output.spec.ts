import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePostcatHeaders } from './postcat-headers.js';
import { postsuperCount } from './postsuper-output.js';

describe('postsuper messages', () => {
  it('reads the count of the operation asked for', () => {
    assert.equal(postsuperCount('delete', 'postsuper: 4F2A81C0D3: removed\npostsuper: Deleted: 1 message\n'), 1);
    assert.equal(postsuperCount('delete', 'postsuper: Deleted: 0 messages\n'), 0);
    assert.equal(postsuperCount('delete', 'postsuper: Deleted: 12 messages\n'), 12);
    assert.equal(postsuperCount('hold', 'postsuper: 4F2A81C0D3: placed on hold\npostsuper: Placed on hold: 1 message\n'), 1);
    assert.equal(postsuperCount('release', 'postsuper: 4F2A81C0D3: released from hold\npostsuper: Released from hold: 1 message\n'), 1);
    assert.equal(postsuperCount('requeue', 'postsuper: 4F2A81C0D3: requeued\npostsuper: Requeued: 1 message\n'), 1);
  });

  it("silence or another operation's summary is 0", () => {
    assert.equal(postsuperCount('hold', ''), 0);
    assert.equal(postsuperCount('hold', 'postsuper: Released from hold: 1 message'), 0);
    assert.equal(postsuperCount('delete', 'postsuper: warning: something'), 0);
  });
});

describe('postcat headers', () => {
  it('reads headers, unfolds continuation lines and skips postcat framing', () => {
    const out = [
      '*** MESSAGE CONTENTS deferred/4F2A81C0D3 ***',
      'Received: by mail.example.org (Postfix, from userid 0)',
      '\tid 4F2A81C0D3; Sat, 21 Nov 2026 07:30:00 +0000 (UTC)',
      'Subject: Quarterly report',
      'From: a@example.org',
      'not a header line',
      '*** HEADER EXTRACTED deferred/4F2A81C0D3 ***',
    ].join('\n');
    assert.deepEqual(parsePostcatHeaders(out), [
      { name: 'Received', value: 'by mail.example.org (Postfix, from userid 0) id 4F2A81C0D3; Sat, 21 Nov 2026 07:30:00 +0000 (UTC)' },
      { name: 'Subject', value: 'Quarterly report' },
      { name: 'From', value: 'a@example.org' },
    ]);
  });
});
