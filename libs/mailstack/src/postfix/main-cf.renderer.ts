import type { GlobalSettings } from '#contracts';
import type { ReconcilePolicyService, ReconcileTls } from '../reconcile/reconcile.types.js';
import { pgsqlMapPath } from './pgsql-maps.renderer.js';

/**
 * Every main.cf parameter reconcile owns. One that is not rendered (TLS files without a certificate)
 * is removed with `postconf -X`; everything else in main.cf is the static base of scripts/mailstack.sh.
 */
export const RECONCILED_MAIN_CF_PARAMS = [
  'virtual_mailbox_domains',
  'virtual_mailbox_maps',
  'virtual_alias_maps',
  'transport_maps',
  'proxy_read_maps',
  'message_size_limit',
  'smtpd_client_connection_rate_limit',
  'anvil_rate_time_unit',
  'mynetworks',
  'smtpd_tls_protocols',
  'smtpd_tls_mandatory_protocols',
  'smtpd_tls_ciphers',
  'smtpd_tls_mandatory_ciphers',
  'smtpd_recipient_restrictions',
  'smtpd_sender_restrictions',
  'smtpd_end_of_data_restrictions',
  'sender_dependent_default_transport_maps',
  'plaintext_reject_code',
  'smtpd_tls_cert_file',
  'smtpd_tls_key_file',
  'smtpd_tls_security_level',
] as const;

/** Loopback always relays (the apps and the test suites submit from it). */
const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1/128'];

/** mynetworks entries: IPv6 inside brackets (`[2001:db8::]/32`), or Postfix reads "type:table". */
export function mynetworksValue(relayNetworks: readonly string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of [...LOOPBACK_NETWORKS, ...relayNetworks]) {
    const net = raw.trim().toLowerCase();
    if (!net || seen.has(net)) continue;
    if (!/^[0-9a-f.:/]+$/.test(net)) throw new Error(`relay network ${JSON.stringify(raw)} is not an address or CIDR block`);
    seen.add(net);
    if (net.includes(':')) {
      const [addr, prefix] = net.split('/');
      out.push(prefix === undefined ? `[${addr}]` : `[${addr}]/${prefix}`);
    } else out.push(net);
  }
  return out.join(' ');
}

/**
 * smtpd_recipient_restrictions after require_tls_inbound: relay control. DNSBLs are Rspamd's (weighted by
 * dnsbl_threshold, libs/mailstack/src/rspamd/rspamd-maps.renderer.ts), not reject_rbl_client.
 */
const RELAY_RESTRICTIONS = 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination';

/**
 * The main.cf parameters from the global tier (docs/architecture.md#mail-stack). max_smtpd_connections is not a main.cf
 * parameter: it is the process limit of the smtpd services in master.cf (see smtpdProcessLimit).
 */
/**
 * Postfix asks the policy service (apps/policy-service) at RCPT and at the end of the message. Down or
 * slow, it answers DUNNO: mail flows on Postfix's own limits rather than stopping (default_action).
 */
export function policyCheck(policy: ReconcilePolicyService): string {
  if (!/^[A-Za-z0-9.:-]+$/.test(policy.host)) throw new Error(`policy service host ${JSON.stringify(policy.host)} is not a host name or address`);
  return `check_policy_service { inet:${policy.host}:${policy.port}, timeout=10s, default_action=DUNNO }`;
}

export function renderMainCf(g: GlobalSettings, postfixDir: string, tls?: ReconcileTls | null, policy?: ReconcilePolicyService | null): Record<string, string> {
  const policyFirst = policy ? `${policyCheck(policy)}, ` : '';
  const map = (name: Parameters<typeof pgsqlMapPath>[1]) => `proxy:pgsql:${pgsqlMapPath(postfixDir, name)}`;
  const params: Record<string, string> = {
    virtual_mailbox_domains: map('virtual_domains'),
    virtual_mailbox_maps: map('virtual_mailboxes'),
    virtual_alias_maps: map('virtual_aliases'),
    transport_maps: map('transport'),
    // proxymap serves only the tables listed here.
    proxy_read_maps:
      '$local_recipient_maps $mydestination $virtual_alias_maps $virtual_mailbox_maps $virtual_mailbox_domains $transport_maps $mynetworks $smtpd_recipient_restrictions $smtpd_sender_restrictions',
    message_size_limit: String(g.message_size_limit),
    // anvil counts connections per client per anvil_rate_time_unit; 0 = no limit.
    smtpd_client_connection_rate_limit: String(g.max_smtpd_rate_per_min),
    anvil_rate_time_unit: '60s',
    mynetworks: mynetworksValue(g.relay_networks),
    smtpd_tls_protocols: `>=${g.tls_min_version}`,
    smtpd_tls_mandatory_protocols: `>=${g.tls_min_version}`,
    smtpd_tls_ciphers: g.cipher_policy,
    smtpd_tls_mandatory_ciphers: g.cipher_policy,
    // require_tls_inbound comes first: it holds for every client, loopback and relay networks included.
    // The policy service comes before permit_mynetworks: its limits hold for loopback and relay networks too.
    smtpd_recipient_restrictions: `check_recipient_access ${map('require_tls_inbound')}, ${policyFirst}${RELAY_RESTRICTIONS}`,
    // require_tls_client: keyed by the SASL login, so it acts on submission (the only port with AUTH).
    smtpd_sender_restrictions: `check_sasl_access ${map('require_tls_client')}`,
    // A refusal for want of TLS is final (Postfix's default 450 would make clients retry in plaintext).
    plaintext_reject_code: '554',
  };
  if (policy) params.smtpd_end_of_data_restrictions = policyCheck(policy);
  // outgoing_ip: the sender's domain picks the smtp client bound to its address (texthash: read at reload).
  params.sender_dependent_default_transport_maps = `texthash:${senderTransportPath(postfixDir)}`;
  if (tls) {
    params.smtpd_tls_cert_file = tls.certFile;
    params.smtpd_tls_key_file = tls.keyFile;
    params.smtpd_tls_security_level = 'may';
  }
  return params;
}

/** The process limit ("maxproc") every smtpd service in master.cf gets: simultaneous SMTP sessions. */
export function smtpdProcessLimit(g: Pick<GlobalSettings, 'max_smtpd_connections'>): string {
  return String(g.max_smtpd_connections);
}

export const senderTransportPath = (postfixDir: string) => `${postfixDir}/mailplane-sender-transport`;

/**
 * `@domain mp-out-<ip>:<nexthop>` for every domain whose outgoing_ip is not "auto" (those use
 * default_transport, the node's primary address). `nexthop` is default_transport's, so only the source
 * address changes.
 */
export function renderSenderTransport(outgoing: readonly { domain: string; ip: string }[], transportOf: (ip: string) => string, nexthop: string): string {
  const lines = outgoing.map((o) => {
    if (!/^[a-z0-9.-]+$/.test(o.domain)) throw new Error(`domain ${JSON.stringify(o.domain)} cannot go into a Postfix map`);
    return `@${o.domain} ${transportOf(o.ip)}:${nexthop}`;
  });
  return ['# Rendered by Mailplane reconcile (outgoing_ip); do not edit.', ...lines, ''].join('\n');
}

/** Folds whitespace the way postconf prints values, so stored and wanted values compare equal. */
export function normalizeValue(v: string): string {
  return v.replace(/\s+/g, ' ').trim();
}

/** Parses `postconf -n` / `postconf -F` output (`name = value` lines). */
export function parsePostconf(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const i = line.indexOf(' = ');
    if (i > 0) m.set(line.slice(0, i).trim(), normalizeValue(line.slice(i + 3)));
    else if (line.endsWith(' =')) m.set(line.slice(0, -2).trim(), '');
  }
  return m;
}
