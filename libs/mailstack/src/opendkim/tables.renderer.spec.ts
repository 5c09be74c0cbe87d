import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderKeyFiles, renderKeyTable, renderSigningTable } from './tables.renderer.js';

const keys = [
  { domain: 'zeta.example', selector: 's2', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nZZ\n-----END PRIVATE KEY-----' },
  { domain: 'alpha.example', selector: 'default', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----\n' },
];

describe('OpenDKIM table renderers', () => {
  it('renders KeyTable and SigningTable sorted by domain', () => {
    assert.equal(
      renderKeyTable('/etc/opendkim', keys),
      'default._domainkey.alpha.example alpha.example:default:/etc/opendkim/keys/alpha.example/default.private\n' +
        's2._domainkey.zeta.example zeta.example:s2:/etc/opendkim/keys/zeta.example/s2.private\n',
    );
    assert.equal(renderSigningTable(keys), '*@alpha.example default._domainkey.alpha.example\n*@zeta.example s2._domainkey.zeta.example\n');
    assert.equal(renderKeyTable('/etc/opendkim', []), '');
  });

  it('writes one key file per domain, PEM with a trailing newline', () => {
    const files = renderKeyFiles('/etc/opendkim', keys);
    assert.deepEqual(
      files.map((f) => f.path),
      ['/etc/opendkim/keys/alpha.example/default.private', '/etc/opendkim/keys/zeta.example/s2.private'],
    );
    assert.ok(files.every((f) => f.content.endsWith('-----END PRIVATE KEY-----\n')));
  });

  it('refuses names that would escape the keys folder or two keys for one domain', () => {
    assert.throws(() => renderSigningTable([{ ...keys[0], domain: '../etc' }]), /not a lower-case DNS name/);
    assert.throws(() => renderSigningTable([{ ...keys[0], selector: 'a/b' }]), /not a lower-case DNS name/);
    assert.throws(() => renderSigningTable([keys[0], { ...keys[0], selector: 'other' }]), /one per domain/);
  });
});
