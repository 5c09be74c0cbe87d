import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatReply, parseRequest, takeRequests } from './policy-request.parser.js';

describe('policy request parser', () => {
  it('splits requests at the empty line and keeps the unfinished rest', () => {
    const { requests, rest } = takeRequests('request=smtpd_access_policy\nprotocol_state=RCPT\n\nrequest=smtpd_access_policy\nsize=12\n\nsasl_user');
    assert.equal(requests.length, 2);
    assert.equal(requests[0].get('protocol_state'), 'RCPT');
    assert.equal(requests[1].get('size'), '12');
    assert.equal(rest, 'sasl_user');
  });

  it('accepts CRLF, keeps = inside values and skips lines without a name', () => {
    const { requests, rest } = takeRequests('recipient=a=b@x.example\r\ngarbage\r\n=novalue\r\n\r\n');
    assert.equal(requests.length, 1);
    assert.deepEqual([...requests[0]], [['recipient', 'a=b@x.example']]);
    assert.equal(rest, '');
  });

  it('a request cut across reads parses once complete', () => {
    let buf = '';
    const seen: string[] = [];
    for (const chunk of ['sasl_username=al', 'ice@x.example\n', '\n']) {
      const r = takeRequests(buf + chunk);
      buf = r.rest;
      for (const q of r.requests) seen.push(q.get('sasl_username') ?? '');
    }
    assert.deepEqual(seen, ['alice@x.example']);
    assert.equal(parseRequest('').size, 0);
  });

  it('replies one action line and an empty line, with line breaks folded', () => {
    assert.equal(formatReply('DUNNO'), 'action=DUNNO\n\n');
    assert.equal(formatReply('450 4.7.1 a\nb'), 'action=450 4.7.1 a b\n\n');
  });
});
