import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPgsqlMap, renderPgsqlMaps } from './pgsql-maps.renderer.js';

const db = { host: '127.0.0.1', port: 5432, dbname: 'mailplane', user: 'mailplane_mailstack', password: 's3cret' };

describe('pgsql map renderer', () => {
  it('renders one pgsql_table(5) file per view', () => {
    const maps = renderPgsqlMaps(db, '/etc/postfix');
    assert.deepEqual(
      maps.map((m) => m.path),
      [
        '/etc/postfix/pgsql/virtual_domains.cf',
        '/etc/postfix/pgsql/virtual_mailboxes.cf',
        '/etc/postfix/pgsql/virtual_aliases.cf',
        '/etc/postfix/pgsql/transport.cf',
        '/etc/postfix/pgsql/require_tls_inbound.cf',
        '/etc/postfix/pgsql/require_tls_client.cf',
      ],
    );
    const text = renderPgsqlMap(db, 'virtual_aliases');
    assert.match(text, /^hosts = inet:127\.0\.0\.1:5432$/m);
    assert.match(text, /^user = mailplane_mailstack$/m);
    assert.match(text, /^password = s3cret$/m);
    assert.match(text, /^dbname = mailplane$/m);
    assert.match(text, /^query = SELECT destination FROM mailstack\.virtual_aliases WHERE source = '%s'$/m);
    assert.match(renderPgsqlMap(db, 'virtual_mailboxes'), /SELECT maildir FROM mailstack\.virtual_mailboxes WHERE address = '%s'/);
    assert.match(renderPgsqlMap(db, 'transport'), /SELECT transport FROM mailstack\.transport WHERE domain = '%s'/);
  });

  it('omits an empty password, brackets IPv6 hosts and uses a socket path for local sockets', () => {
    assert.doesNotMatch(renderPgsqlMap({ ...db, password: null }, 'virtual_domains'), /password/);
    assert.match(renderPgsqlMap({ ...db, host: '::1' }, 'virtual_domains'), /^hosts = inet:\[::1\]:5432$/m);
    assert.match(renderPgsqlMap({ ...db, host: '/var/run/postgresql' }, 'virtual_domains'), /^hosts = unix:\/var\/run\/postgresql\/\.s\.PGSQL\.5432$/m);
  });

  it('refuses a value that would inject another setting', () => {
    assert.throws(() => renderPgsqlMap({ ...db, password: 'x\nquery = SELECT 1' }, 'virtual_domains'), /line break/);
  });
});
