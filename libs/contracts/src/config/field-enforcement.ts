import { DOMAIN_FIELDS, GLOBAL_FIELDS, MAILBOX_FIELDS } from './config-fields.js';

/**
 * Where each configuration field takes effect and which test proves it (docs/architecture.md#mail-stack).
 * `proof` names a test file (from the repository root) that exercises the field against the real mail
 * stack or the API that enforces it; `pending` says honestly why a field does not act yet. The test
 * test/deploy/field-enforcement.spec.ts fails when a catalog field is missing here, when a proof file
 * does not exist or never mentions the field, or when a pending field gets no reason.
 */
export type Enforcement = { proof: string; by: string } | { pending: string };

const E2E = 'test/e2e';
const proof = (file: string, by: string): Enforcement => ({ proof: file.includes('/') ? file : `${E2E}/${file}`, by });
const pending = (why: string): Enforcement => ({ pending: why });

const RENDERED_ONLY = 'rendered into main.cf/master.cf by reconcile (libs/mailstack/src/postfix/main-cf.renderer.spec.ts); no SMTP-level test yet';
const SPAM = 'antispam-delivery.e2e-spec.ts';
const NO_REMOTE = 'the mail stack scans with its own Rspamd; handing mail to a remote scanner (Rspamd external_services) is not built yet';
const LIMITS = 'sending-limits.e2e-spec.ts';
const DNS_ONLY = 'describes what the domain publishes in DNS; the DNS check route that compares it is not built yet';

export const GLOBAL_ENFORCEMENT: Record<keyof typeof GLOBAL_FIELDS, Enforcement> = {
  message_size_limit: proof('mailstack.e2e-spec.ts', 'Postfix message_size_limit: an over-size message gets 552 after reconcile'),
  max_smtpd_connections: pending(RENDERED_ONLY),
  max_smtpd_rate_per_min: proof('mailbox-delivery.e2e-spec.ts', 'the 4th connection in a minute from one client gets 421'),
  relay_networks: pending(RENDERED_ONLY),
  tls_min_version: proof('mailbox-delivery.e2e-spec.ts', 'with TLSv1.3 as the floor a TLS 1.2 client fails STARTTLS; TLS 1.3 sends'),
  cipher_policy: pending(RENDERED_ONLY),
  tls_cert_file: proof('libs/mailstack/src/reconcile/reconcile.int-spec.ts', 'Postfix offers STARTTLS with the certificate'),
  tls_key_file: proof('libs/mailstack/src/reconcile/reconcile.int-spec.ts', 'a key of another certificate is refused and rolled back'),
  spam_remote_enabled: pending(NO_REMOTE),
  spam_remote_url: pending(NO_REMOTE),
  spam_remote_timeout_ms: pending(NO_REMOTE),
  dnsbl_enabled: proof(SPAM, 'Rspamd rbl rules: a listed client is refused with 554 while on, accepted when off'),
  dnsbl_sites: proof(SPAM, 'one Rspamd rbl rule per zone, queried through the loopback DNS'),
  dnsbl_threshold: proof(SPAM, 'listed by 2 zones: refused at threshold 2, accepted at 3'),
  greylist_enabled: proof(SPAM, 'Rspamd greylisting answers 451 only while the global switch is on'),
  greylist_delay_seconds: proof(SPAM, 'the retry after the delay is accepted'),
  greylist_max_age_days: proof(
    'libs/mailstack/src/rspamd/rspamd-maps.renderer.spec.ts',
    "rendered as the greylist module's expire (days are not waited for in a test)",
  ),
};

export const DOMAIN_ENFORCEMENT: Record<keyof typeof DOMAIN_FIELDS, Enforcement> = {
  quota_total_bytes: proof('limits.e2e-spec.ts', 'mailbox quotas beyond the domain total are refused by the API'),
  max_mailboxes: proof('limits.e2e-spec.ts', 'the next mailbox is refused by the API'),
  max_aliases: proof('limits.e2e-spec.ts', 'the next alias is refused by the API'),
  message_size_limit: proof(LIMITS, 'the policy service refuses mail to the domain over its limit with 552'),
  dkim_enabled: proof('dkim.e2e-spec.ts', 'a domain with DKIM disabled leaves the signing keys reconcile gives OpenDKIM'),
  spf_policy: pending(DNS_ONLY),
  dmarc_policy: pending(DNS_ONLY),
  spam_threshold: proof(SPAM, 'the domain threshold decides what Rspamd refuses at SMTP time'),
  spam_action: proof(SPAM, 'reject refuses with 554 and the score; a mailbox override takes its mailbox out'),
  clamav_action: proof(SPAM, 'EICAR (local signature): reject 554, tag X-Mailplane-Virus, none delivered'),
  greylisting_enabled: proof(SPAM, 'only the greylisting domain answers 451 first'),
  require_tls_inbound: proof('mailbox-delivery.e2e-spec.ts', 'plaintext SMTP to the domain gets 554 (reject_plaintext_session); STARTTLS is accepted'),
};

export const MAILBOX_ENFORCEMENT: Record<keyof typeof MAILBOX_FIELDS, Enforcement> = {
  quota_bytes: proof('mailstack.e2e-spec.ts', 'Dovecot quota: an over-quota message bounces'),
  enabled_smtp: proof('mailbox-delivery.e2e-spec.ts', 'submission SMTP AUTH is refused with 535'),
  enabled_imap: proof('libs/mailstack/src/reconcile/mail-flow.int-spec.ts', 'IMAP login is refused'),
  enabled_pop3: proof('mailbox-delivery.e2e-spec.ts', 'POP3 USER/PASS is refused while IMAP still logs in'),
  max_send_per_day: proof(LIMITS, 'the (N+1)th message of the day gets 450 from the policy service'),
  max_recipients_per_message: proof(LIMITS, 'the recipient over the cap gets 452'),
  message_size_limit: proof(LIMITS, 'mail to or from the mailbox over its limit gets 552'),
  spam_threshold: proof(SPAM, 'Sieve compares the Rspamd score with the mailbox threshold at delivery'),
  spam_action: proof(SPAM, 'tag rewrites the subject, junk files into Junk, none leaves it'),
  auto_junk_threshold: proof(SPAM, 'mail at or above it goes to Junk'),
  vacation_enabled: proof('mailbox-delivery.e2e-spec.ts', 'the platform Sieve script replies once per sender per day, never to lists'),
  vacation_message: proof('mailbox-delivery.e2e-spec.ts', 'the reply carries the message'),
  forward_to: proof('mailbox-delivery.e2e-spec.ts', 'Postfix virtual_alias_maps delivers to every forward; loops are 400'),
  forward_keep_copy: proof('mailbox-delivery.e2e-spec.ts', 'the mailbox keeps a copy or not'),
  require_tls_client: proof('mailbox-delivery.e2e-spec.ts', 'plaintext submission by the mailbox gets 554; with STARTTLS it sends'),
};
