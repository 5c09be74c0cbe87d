import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtInDefaults, GLOBAL_FIELDS } from '#contracts';
import {
  mynetworksValue,
  normalizeValue,
  parsePostconf,
  RECONCILED_MAIN_CF_PARAMS,
  renderMainCf,
  renderSenderTransport,
  smtpdProcessLimit,
} from './main-cf.renderer.js';
import { outgoingTransportEntry, outgoingTransportName } from './postfix.js';

const defaults = builtInDefaults(GLOBAL_FIELDS);

describe('main.cf renderer', () => {
  it('maps the global tier to Postfix parameters', () => {
    const p = renderMainCf(
      { ...defaults, message_size_limit: 52_428_800, max_smtpd_rate_per_min: 60, tls_min_version: 'TLSv1.3', cipher_policy: 'high' },
      '/etc/postfix',
    );
    assert.equal(p.message_size_limit, '52428800');
    assert.equal(p.smtpd_client_connection_rate_limit, '60');
    assert.equal(p.anvil_rate_time_unit, '60s');
    assert.equal(p.smtpd_tls_protocols, '>=TLSv1.3');
    assert.equal(p.smtpd_tls_mandatory_protocols, '>=TLSv1.3');
    assert.equal(p.smtpd_tls_ciphers, 'high');
    assert.equal(p.smtpd_tls_mandatory_ciphers, 'high');
    assert.equal(p.virtual_mailbox_domains, 'proxy:pgsql:/etc/postfix/pgsql/virtual_domains.cf');
    assert.equal(p.virtual_mailbox_maps, 'proxy:pgsql:/etc/postfix/pgsql/virtual_mailboxes.cf');
    assert.equal(p.virtual_alias_maps, 'proxy:pgsql:/etc/postfix/pgsql/virtual_aliases.cf');
    assert.equal(p.transport_maps, 'proxy:pgsql:/etc/postfix/pgsql/transport.cf');
    assert.match(p.proxy_read_maps, /\$virtual_alias_maps/);
    for (const k of Object.keys(p)) assert.ok((RECONCILED_MAIN_CF_PARAMS as readonly string[]).includes(k), `${k} is an owned parameter`);
  });

  it('sets TLS certificate parameters only when a certificate is configured', () => {
    assert.equal('smtpd_tls_cert_file' in renderMainCf(defaults, '/etc/postfix'), false);
    const p = renderMainCf(defaults, '/etc/postfix', { certFile: '/etc/mailplane/tls/mail.crt', keyFile: '/etc/mailplane/tls/mail.key' });
    assert.equal(p.smtpd_tls_cert_file, '/etc/mailplane/tls/mail.crt');
    assert.equal(p.smtpd_tls_key_file, '/etc/mailplane/tls/mail.key');
    assert.equal(p.smtpd_tls_security_level, 'may');
  });

  it('always keeps loopback in mynetworks and brackets IPv6 (Postfix would read "type:table")', () => {
    assert.equal(mynetworksValue([]), '127.0.0.0/8 [::1]/128');
    assert.equal(
      mynetworksValue(['192.0.2.0/24', '2001:DB8::/32', '127.0.0.0/8', '198.51.100.7']),
      '127.0.0.0/8 [::1]/128 192.0.2.0/24 [2001:db8::]/32 198.51.100.7',
    );
    assert.throws(() => mynetworksValue(['hash:/etc/x']), /not an address/);
  });

  it('leaves DNSBLs to Rspamd: no reject_rbl_client even when enabled', () => {
    const cf = renderMainCf({ ...defaults, dnsbl_enabled: true, dnsbl_sites: ['zen.spamhaus.org'] }, '/etc/postfix');
    assert.doesNotMatch(cf.smtpd_recipient_restrictions, /reject_rbl_client/);
    assert.match(cf.smtpd_recipient_restrictions, /permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination$/);
  });

  it('outgoing_ip: a sender transport line per domain with its own address, keeping default_transport’s nexthop', () => {
    const map = renderSenderTransport(
      [
        { domain: 'a.example', ip: '192.0.2.10' },
        { domain: 'b.example', ip: '2001:db8::25' },
      ],
      outgoingTransportName,
      '[127.0.0.1]:9',
    );
    assert.deepEqual(map.split('\n').slice(1, -1), ['@a.example mp-out-192-0-2-10:[127.0.0.1]:9', '@b.example mp-out-2001-db8--25:[127.0.0.1]:9']);
    assert.equal(
      outgoingTransportEntry('192.0.2.10'),
      'mp-out-192-0-2-10 unix - - n - - smtp -o smtp_bind_address=192.0.2.10 -o syslog_name=postfix/mp-out-192-0-2-10',
    );
    assert.match(outgoingTransportEntry('2001:db8::25'), /-o smtp_bind_address6=2001:db8::25 /);
    assert.throws(() => outgoingTransportEntry('1.2.3.4 -o x=y'), /not an IP address/);
    assert.equal(renderMainCf(defaults, '/etc/postfix').sender_dependent_default_transport_maps, 'texthash:/etc/postfix/mailplane-sender-transport');
  });

  it("max_smtpd_connections is the smtpd services' process limit", () => {
    assert.equal(smtpdProcessLimit({ max_smtpd_connections: 250 }), '250');
    assert.equal('max_smtpd_connections' in renderMainCf(defaults, '/etc/postfix'), false);
  });

  it('parses postconf output and compares values the way postconf prints them', () => {
    const m = parsePostconf('message_size_limit = 1000\nmydestination =\nmynetworks = 127.0.0.0/8   [::1]/128\n');
    assert.equal(m.get('message_size_limit'), '1000');
    assert.equal(m.get('mydestination'), '');
    assert.equal(m.get('mynetworks'), normalizeValue('127.0.0.0/8 [::1]/128'));
  });
});
