import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePostqueueJson, parsePostqueueLine } from './postqueue.parser.js';

const deferred = JSON.stringify({
  queue_name: 'deferred',
  queue_id: '4F2A81C0D3',
  arrival_time: 1763710200,
  message_size: 1534,
  forced_expire: false,
  sender: 'a@example.org',
  recipients: [
    { address: 'x@unreachable.invalid', delay_reason: 'connect to 127.0.0.1[127.0.0.1]:9: Connection refused' },
    { address: 'y@unreachable.invalid' },
  ],
});
const held = JSON.stringify({
  queue_name: 'hold',
  queue_id: '3bQ1Lf5FdbzBx7',
  arrival_time: 1763710260,
  message_size: 10,
  sender: '',
  recipients: [{ address: 'z@example.net', delay_reason: '' }],
});

describe('postqueue -j parser', () => {
  it('maps every field, with RFC 3339 arrival times and null for absent delay reasons', () => {
    const { messages, skipped } = parsePostqueueJson(`${deferred}\n${held}\n`);
    assert.equal(skipped, 0);
    assert.deepEqual(messages[0], {
      queue_name: 'deferred',
      queue_id: '4F2A81C0D3',
      arrival_time: '2025-11-21T07:30:00.000Z',
      message_size: 1534,
      sender: 'a@example.org',
      forced_expire: false,
      recipients: [
        { address: 'x@unreachable.invalid', delay_reason: 'connect to 127.0.0.1[127.0.0.1]:9: Connection refused' },
        { address: 'y@unreachable.invalid', delay_reason: null },
      ],
    });
    assert.equal(messages[1].sender, '', 'the null sender of a bounce stays empty');
    assert.equal(messages[1].recipients[0].delay_reason, null);
    assert.equal(messages[1].forced_expire, false);
  });

  it('skips odd lines without losing the good ones', () => {
    const out = [
      'postqueue: warning: Mail system is down -- accessing queue directly',
      deferred,
      '{"queue_name":"active","queue_id":"AB',
      '[1,2,3]',
      '{"queue_name":"active"}',
      'null',
      '',
      '   ',
      held,
      '{"queue_name":"incoming","queue_id":"ABCDEF1","recipients":"nope","message_size":-5,"arrival_time":"x"}',
    ].join('\r\n');
    const { messages, skipped } = parsePostqueueJson(out);
    assert.deepEqual(
      messages.map((m) => m.queue_id),
      ['4F2A81C0D3', '3bQ1Lf5FdbzBx7', 'ABCDEF1'],
    );
    assert.equal(skipped, 5);
    assert.deepEqual(messages[2].recipients, []);
    assert.equal(messages[2].message_size, 0);
    assert.equal(messages[2].arrival_time, '1970-01-01T00:00:00.000Z');
  });

  it('ignores recipients that are not objects with an address', () => {
    const m = parsePostqueueLine(
      JSON.stringify({ queue_name: 'active', queue_id: 'ABCDEF12', recipients: [null, 7, { delay_reason: 'x' }, { address: 'ok@example.com' }] }),
    );
    assert.deepEqual(m?.recipients, [{ address: 'ok@example.com', delay_reason: null }]);
    assert.equal(parsePostqueueLine(''), null);
  });
});
