import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderDovecotQuota } from './quota.renderer.js';
import { dovecotConnectString, renderDovecotSql } from './sql-conf.renderer.js';

describe('Dovecot SQL and quota renderers', () => {
  it('connects to the database given, quoting what libpq needs quoted', () => {
    assert.equal(
      dovecotConnectString({ host: '127.0.0.1', port: 5432, dbname: 'mailplane', user: 'mailplane_mailstack', password: null }),
      'host=127.0.0.1 port=5432 dbname=mailplane user=mailplane_mailstack',
    );
    assert.equal(
      dovecotConnectString({ host: 'db', port: 6432, dbname: 'mp', user: 'ro', password: "it's a \\ secret" }),
      "host=db port=6432 dbname=mp user=ro password='it\\'s a \\\\ secret'",
    );
    assert.throws(() => dovecotConnectString({ host: 'db', port: 1, dbname: 'x\ny', user: 'u', password: null }), /line breaks/);
  });

  it('queries mailstack.users with the quota rule and refuses logins per protocol', () => {
    const text = renderDovecotSql({ host: '127.0.0.1', port: 5432, dbname: 'mailplane', user: 'mailplane_mailstack', password: null });
    assert.match(text, /^driver = pgsql$/m);
    const pq = /^password_query = (.*)$/m.exec(text)![1];
    assert.match(pq, /FROM mailstack\.users WHERE username = '%u'/);
    assert.match(pq, /WHEN 'imap' THEN enabled_imap/);
    assert.match(pq, /WHEN 'pop3' THEN enabled_pop3/);
    assert.match(pq, /WHEN 'smtp' THEN enabled_smtp/);
    assert.match(
      text,
      /^user_query = SELECT home, quota_rule, vacation AS sieve_env_mailplane_vacation, vacation_message AS sieve_env_mailplane_vacation_message, spam_threshold AS sieve_env_mailplane_spam_threshold, spam_action AS sieve_env_mailplane_spam_action, auto_junk_threshold AS sieve_env_mailplane_auto_junk FROM mailstack\.users WHERE username = '%u'$/m,
    );
  });

  it("takes the quota limit from each user's quota_rule (maildir quota, no grace)", () => {
    const q = renderDovecotQuota();
    assert.match(q, /quota = maildir:User quota/);
    assert.match(q, /quota_grace = 0%%/);
    assert.doesNotMatch(q, /quota_rule =/);
  });
});
