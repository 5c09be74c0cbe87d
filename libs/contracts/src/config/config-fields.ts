/**
 * The field catalog of the configuration tiers (docs/architecture.md#mail-stack): every field a tier may hold,
 * its type, its range and its built-in default. Validation, the OpenAPI schemas and the resolver are
 * all derived from these tables, so a field is added in exactly one place.
 *
 * Tiers, widest first: built-in defaults ← global ← domain defaults ← domain overrides (← mailbox
 * defaults ← mailbox overrides, on the mailbox side). The singleton tier rows start as `{}`; a GET
 * shows the stored settings merged over the built-in defaults.
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
/** Counters (mailboxes, aliases) fit a PostgreSQL integer; byte sizes stay exact in a JS number. */
const INT32_MAX = 2_147_483_647;

interface Base {
  description: string;
}
export interface IntField extends Base {
  kind: 'int';
  min: number;
  max: number;
  default: number;
  example?: number;
}
export interface NumberField extends Base {
  kind: 'number';
  min: number;
  max: number;
  default: number;
  example?: number;
}
export interface BoolField extends Base {
  kind: 'bool';
  default: boolean;
}
export interface EnumField extends Base {
  kind: 'enum';
  values: readonly string[];
  default: string;
}
/** Nullable text. */
export interface TextField extends Base {
  kind: 'text';
  maxLength: number;
  default: string | null;
  example?: string;
}
/** Nullable http(s) URL. */
export interface UrlField extends Base {
  kind: 'url';
  default: string | null;
  example?: string;
}
/** Nullable absolute file path on the mail node (letters, digits, `._-/`; no `..`: it lands in main.cf). */
export interface PathField extends Base {
  kind: 'path';
  default: string | null;
  example?: string;
}
export type ListItem = 'ip_or_cidr' | 'dns_name' | 'email';
export interface ListField extends Base {
  kind: 'list';
  item: ListItem;
  maxItems: number;
  default: readonly string[];
  example?: readonly string[];
}
export type FieldSpec = IntField | NumberField | BoolField | EnumField | TextField | UrlField | PathField | ListField;
export type FieldCatalog = Readonly<Record<string, FieldSpec>>;

type ValueOf<F extends FieldSpec> = F extends IntField | NumberField
  ? number
  : F extends BoolField
    ? boolean
    : F extends EnumField
      ? F['values'][number]
      : F extends TextField | UrlField | PathField
        ? string | null
        : string[];
export type SettingsOf<C extends FieldCatalog> = { -readonly [K in keyof C]: ValueOf<C[K]> };

export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export const CIPHER_POLICIES = ['high', 'medium', 'low'] as const;
export const SPF_POLICIES = ['none', 'softfail', 'fail'] as const;
export const DMARC_POLICIES = ['none', 'quarantine', 'reject'] as const;
export const SPAM_ACTIONS = ['none', 'tag', 'junk', 'reject'] as const;
export const CLAMAV_ACTIONS = ['none', 'tag', 'reject'] as const;

const messageSizeLimit = {
  kind: 'int',
  min: KiB,
  max: 2 * GiB,
  default: 25 * MiB,
  example: 52_428_800,
  description: 'Largest message accepted, in bytes (1 KiB..2 GiB); never above the global message_size_limit',
} as const satisfies IntField;
const spamThreshold = {
  kind: 'number',
  min: 0,
  max: 100,
  default: 5,
  example: 6.5,
  description: 'Spam score at or above which spam_action applies (0..100)',
} as const satisfies NumberField;
const spamAction = {
  kind: 'enum',
  values: SPAM_ACTIONS,
  default: 'junk',
  description: 'What happens to mail at or above spam_threshold',
} as const satisfies EnumField;

export const GLOBAL_FIELDS = {
  message_size_limit: { ...messageSizeLimit, description: 'Postfix message_size_limit in bytes (1 KiB..2 GiB); the cap for every narrower tier' },
  max_smtpd_connections: { kind: 'int', min: 1, max: 10_000, default: 100, example: 200, description: 'Simultaneous SMTP server processes (1..10000)' },
  max_smtpd_rate_per_min: {
    kind: 'int',
    min: 0,
    max: 100_000,
    default: 0,
    example: 60,
    description: 'Connections per client per minute (0..100000, 0 = unlimited)',
  },
  relay_networks: {
    kind: 'list',
    item: 'ip_or_cidr',
    maxItems: 256,
    default: ['127.0.0.0/8', '::1/128'],
    example: ['127.0.0.0/8', '::1/128', '192.0.2.0/24'],
    description: 'Postfix mynetworks: addresses or CIDR blocks (network address, prefix ≥ 1) allowed to relay; at most 256',
  },
  tls_min_version: { kind: 'enum', values: TLS_VERSIONS, default: 'TLSv1.2', description: 'Lowest TLS protocol version offered' },
  cipher_policy: { kind: 'enum', values: CIPHER_POLICIES, default: 'medium', description: 'Postfix smtpd_tls_ciphers grade' },
  tls_cert_file: {
    kind: 'path',
    default: null,
    example: '/etc/ssl/mail/fullchain.pem',
    description:
      'PEM certificate (chain) Postfix offers with STARTTLS, on the mail node; null = no STARTTLS. Needs tls_key_file; reconcile refuses a pair that does not parse or match',
  },
  tls_key_file: {
    kind: 'path',
    default: null,
    example: '/etc/ssl/mail/privkey.pem',
    description: 'PEM private key of tls_cert_file, on the mail node; null with it',
  },
  spam_remote_enabled: { kind: 'bool', default: false, description: 'Send mail to a remote spam scanner' },
  spam_remote_url: { kind: 'url', default: null, example: 'https://spam.example.net/check', description: 'http(s) URL of the remote spam scanner, or null' },
  spam_remote_timeout_ms: { kind: 'int', min: 100, max: 60_000, default: 5000, example: 3000, description: 'Remote scanner timeout in ms (100..60000)' },
  dnsbl_enabled: { kind: 'bool', default: false, description: 'Check connecting clients against DNS block lists' },
  dnsbl_sites: {
    kind: 'list',
    item: 'dns_name',
    maxItems: 32,
    default: ['zen.spamhaus.org'],
    example: ['zen.spamhaus.org', 'bl.spamcop.net'],
    description: 'DNSBL zones (DNS names, IDN converted to punycode); at most 32',
  },
  dnsbl_threshold: { kind: 'int', min: 1, max: 100, default: 1, example: 2, description: 'Combined DNSBL weight at which a client is refused (1..100)' },
  greylist_enabled: { kind: 'bool', default: false, description: 'Greylist unknown sender/recipient/client triplets' },
  greylist_delay_seconds: { kind: 'int', min: 0, max: 86_400, default: 300, example: 300, description: 'Seconds a new triplet is deferred (0..86400)' },
  greylist_max_age_days: { kind: 'int', min: 1, max: 365, default: 35, example: 35, description: 'Days a passed triplet is remembered (1..365)' },
} as const satisfies FieldCatalog;

export const DOMAIN_FIELDS = {
  quota_total_bytes: {
    kind: 'int',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    default: 0,
    example: 10 * GiB,
    description: 'Storage for all mailboxes of the domain, in bytes (0 = unlimited)',
  },
  max_mailboxes: { kind: 'int', min: 0, max: INT32_MAX, default: 0, example: 100, description: 'Mailboxes the domain may have (0 = unlimited)' },
  max_aliases: { kind: 'int', min: 0, max: INT32_MAX, default: 0, example: 500, description: 'Aliases the domain may have (0 = unlimited)' },
  message_size_limit: messageSizeLimit,
  dkim_enabled: { kind: 'bool', default: true, description: 'Sign outgoing mail with DKIM' },
  spf_policy: {
    kind: 'enum',
    values: SPF_POLICIES,
    default: 'softfail',
    description: 'Published SPF "all" mechanism: none (?all), softfail (~all), fail (-all)',
  },
  dmarc_policy: { kind: 'enum', values: DMARC_POLICIES, default: 'none', description: 'Published DMARC p= policy' },
  spam_threshold: spamThreshold,
  spam_action: spamAction,
  clamav_action: { kind: 'enum', values: CLAMAV_ACTIONS, default: 'reject', description: 'What happens to mail ClamAV flags' },
  greylisting_enabled: { kind: 'bool', default: false, description: 'Greylist mail to this domain (needs greylist_enabled globally)' },
  require_tls_inbound: { kind: 'bool', default: false, description: 'Refuse mail to this domain over unencrypted SMTP' },
} as const satisfies FieldCatalog;

export const MAILBOX_FIELDS = {
  quota_bytes: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, default: GiB, example: 5 * GiB, description: 'Mailbox storage in bytes (0 = unlimited)' },
  enabled_smtp: { kind: 'bool', default: true, description: 'May send through SMTP submission' },
  enabled_imap: { kind: 'bool', default: true, description: 'May log in over IMAP' },
  enabled_pop3: { kind: 'bool', default: true, description: 'May log in over POP3' },
  max_send_per_day: { kind: 'int', min: 0, max: INT32_MAX, default: 1000, example: 500, description: 'Messages the mailbox may send per day (0 = unlimited)' },
  max_recipients_per_message: { kind: 'int', min: 1, max: 10_000, default: 100, example: 50, description: 'Recipients per message (1..10000)' },
  message_size_limit: messageSizeLimit,
  spam_threshold: spamThreshold,
  spam_action: spamAction,
  auto_junk_threshold: {
    kind: 'number',
    min: 0,
    max: 100,
    default: 10,
    example: 12,
    description: 'Spam score at or above which mail goes straight to Junk (0..100)',
  },
  vacation_enabled: { kind: 'bool', default: false, description: 'Send the vacation auto-reply' },
  vacation_message: {
    kind: 'text',
    maxLength: 10_000,
    default: null,
    example: 'I am away until Monday.',
    description: 'Vacation auto-reply text (at most 10000 characters), or null',
  },
  forward_to: {
    kind: 'list',
    item: 'email',
    maxItems: 50,
    default: [],
    example: ['alice@example.net'],
    description: 'RFC 5321 addresses to forward to (domain lower-cased, IDN to punycode); at most 50',
  },
  forward_keep_copy: { kind: 'bool', default: true, description: 'Keep a copy when forwarding' },
  require_tls_client: { kind: 'bool', default: false, description: 'Clients must use TLS to log in or submit' },
} as const satisfies FieldCatalog;

/** The DNSBL and greylisting subset of the global tier that `config/antispam` shows and replaces. */
export const ANTISPAM_FIELD_NAMES = [
  'dnsbl_enabled',
  'dnsbl_sites',
  'dnsbl_threshold',
  'greylist_enabled',
  'greylist_delay_seconds',
  'greylist_max_age_days',
] as const;
export const ANTISPAM_FIELDS = Object.fromEntries(ANTISPAM_FIELD_NAMES.map((k) => [k, GLOBAL_FIELDS[k]])) as Pick<
  typeof GLOBAL_FIELDS,
  (typeof ANTISPAM_FIELD_NAMES)[number]
>;

export type GlobalSettings = SettingsOf<typeof GLOBAL_FIELDS>;
export type DomainSettings = SettingsOf<typeof DOMAIN_FIELDS>;
export type MailboxSettings = SettingsOf<typeof MAILBOX_FIELDS>;
export type AntispamSettings = SettingsOf<typeof ANTISPAM_FIELDS>;

/**
 * Domain fields that are limits the platform imposes on a tenant: in a domain's overrides only a
 * platform admin may set or revert them (a tenant admin raising its own limit would defeat them).
 */
export const PLATFORM_LIMIT_DOMAIN_FIELDS = ['quota_total_bytes', 'max_mailboxes', 'max_aliases'] as const;

/** Narrower-tier fields bounded by the global field of the same name. */
export const GLOBAL_CAPPED_FIELDS = ['message_size_limit'] as const;

/** The singleton tiers and their catalogs. */
export const CONFIG_TIERS = ['global', 'domain_defaults', 'mailbox_defaults'] as const;
export type ConfigTier = (typeof CONFIG_TIERS)[number];
export const TIER_FIELDS: Record<ConfigTier, FieldCatalog> = {
  global: GLOBAL_FIELDS,
  domain_defaults: DOMAIN_FIELDS,
  mailbox_defaults: MAILBOX_FIELDS,
};

export function builtInDefaults<C extends FieldCatalog>(catalog: C): SettingsOf<C> {
  return Object.fromEntries(Object.entries(catalog).map(([k, f]) => [k, Array.isArray(f.default) ? [...(f.default as string[])] : f.default])) as SettingsOf<C>;
}
