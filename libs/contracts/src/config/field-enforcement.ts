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
const NO_MILTER = 'needs the Rspamd milter, which the mail stack does not run yet';
const NO_POLICY = 'needs the policy service (Postfix policy delegation), which does not exist yet';
const DNS_ONLY = 'describes what the domain publishes in DNS; the DNS check route that compares it is not built yet';

export const GLOBAL_ENFORCEMENT: Record<keyof typeof GLOBAL_FIELDS, Enforcement> = {
  message_size_limit: proof('mailstack.e2e-spec.ts', 'Postfix message_size_limit: an over-size message gets 552 after reconcile'),
  max_smtpd_connections: pending(RENDERED_ONLY),
  max_smtpd_rate_per_min: pending(RENDERED_ONLY),
  relay_networks: pending(RENDERED_ONLY),
  tls_min_version: pending(RENDERED_ONLY),
  cipher_policy: pending(RENDERED_ONLY),
  tls_cert_file: proof('libs/mailstack/src/reconcile/reconcile.int-spec.ts', 'Postfix offers STARTTLS with the certificate'),
  tls_key_file: proof('libs/mailstack/src/reconcile/reconcile.int-spec.ts', 'a key of another certificate is refused and rolled back'),
  spam_remote_enabled: pending(NO_MILTER),
  spam_remote_url: pending(NO_MILTER),
  spam_remote_timeout_ms: pending(NO_MILTER),
  dnsbl_enabled: pending(RENDERED_ONLY),
  dnsbl_sites: pending(RENDERED_ONLY),
  dnsbl_threshold: pending(`${NO_MILTER} (Postfix reject_rbl_client has no weights)`),
  greylist_enabled: pending(NO_MILTER),
  greylist_delay_seconds: pending(NO_MILTER),
  greylist_max_age_days: pending(NO_MILTER),
};

export const DOMAIN_ENFORCEMENT: Record<keyof typeof DOMAIN_FIELDS, Enforcement> = {
  quota_total_bytes: proof('limits.e2e-spec.ts', 'mailbox quotas beyond the domain total are refused by the API'),
  max_mailboxes: proof('limits.e2e-spec.ts', 'the next mailbox is refused by the API'),
  max_aliases: proof('limits.e2e-spec.ts', 'the next alias is refused by the API'),
  message_size_limit: pending(NO_POLICY),
  dkim_enabled: proof('dkim.e2e-spec.ts', 'a domain with DKIM disabled leaves the signing keys reconcile gives OpenDKIM'),
  spf_policy: pending(DNS_ONLY),
  dmarc_policy: pending(DNS_ONLY),
  spam_threshold: pending(NO_MILTER),
  spam_action: pending(NO_MILTER),
  clamav_action: pending(NO_MILTER),
  greylisting_enabled: pending(NO_MILTER),
  require_tls_inbound: proof('mailbox-delivery.e2e-spec.ts', 'plaintext SMTP to the domain gets 554 (reject_plaintext_session); STARTTLS is accepted'),
};

export const MAILBOX_ENFORCEMENT: Record<keyof typeof MAILBOX_FIELDS, Enforcement> = {
  quota_bytes: proof('mailstack.e2e-spec.ts', 'Dovecot quota: an over-quota message bounces'),
  enabled_smtp: proof('mailbox-delivery.e2e-spec.ts', 'submission SMTP AUTH is refused with 535'),
  enabled_imap: proof('libs/mailstack/src/reconcile/mail-flow.int-spec.ts', 'IMAP login is refused'),
  enabled_pop3: pending('the mail stack serves no POP3 (Dovecot protocols = imap lmtp); the field acts once POP3 is offered'),
  max_send_per_day: pending(NO_POLICY),
  max_recipients_per_message: pending(NO_POLICY),
  message_size_limit: pending(NO_POLICY),
  spam_threshold: pending(NO_MILTER),
  spam_action: pending(NO_MILTER),
  auto_junk_threshold: pending(NO_MILTER),
  vacation_enabled: proof('mailbox-delivery.e2e-spec.ts', 'the platform Sieve script replies once per sender per day, never to lists'),
  vacation_message: proof('mailbox-delivery.e2e-spec.ts', 'the reply carries the message'),
  forward_to: proof('mailbox-delivery.e2e-spec.ts', 'Postfix virtual_alias_maps delivers to every forward; loops are 400'),
  forward_keep_copy: proof('mailbox-delivery.e2e-spec.ts', 'the mailbox keeps a copy or not'),
  require_tls_client: proof('mailbox-delivery.e2e-spec.ts', 'plaintext submission by the mailbox gets 554; with STARTTLS it sends'),
};
