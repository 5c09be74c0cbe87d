import type { GlobalSettings } from '#contracts';

/** Where the mail stack lives on this host (all configuration: MAILSTACK_BIN_PATH, *_CONFIG_DIR, OPENDKIM_USER). */
export interface MailstackPaths {
  binPath: string;
  postfixDir: string;
  dovecotDir: string;
  opendkimDir: string;
  opendkimUser: string;
  /** Rspamd's configuration folder (RSPAMD_CONFIG_DIR): reconcile writes mailplane/*.map and two module files. */
  rspamdDir: string;
}

export interface ReconcileDkimKey {
  domain: string;
  selector: string;
  /** PEM, decrypted by the caller just for this run; written to a mode-600 file owned by OPENDKIM_USER. */
  privateKeyPem: string;
}

/** How Postfix's pgsql maps and Dovecot's SQL driver reach the `mailstack` views. */
export interface MailstackDatabase {
  host: string;
  port: number;
  dbname: string;
  user: string;
  password: string | null;
}

/** The server certificate Postfix offers (smtpd_tls_cert_file/key_file); absent = those parameters are removed. */
export interface ReconcileTls {
  certFile: string;
  keyFile: string;
}

/** One white/blacklist entry (antispam_entries): the platform's (`domain` null) or one domain's own. */
export interface ReconcileAntispamEntry {
  list: 'whitelist' | 'blacklist';
  entryType: 'ip' | 'cidr' | 'domain' | 'email';
  value: string;
  domain: string | null;
}

/**
 * What Rspamd must decide at SMTP time for mail to a recipient: `key` is an address, `@domain`, or `*`
 * (mail for no recipient of ours). `rejectAt` is the spam score refused with 5xx (spam_action reject),
 * null when the recipient's action happens at delivery instead (tag, junk: Sieve) or not at all.
 */
export interface ReconcileRecipientPolicy {
  key: string;
  rejectAt: number | null;
  greylist: boolean;
  clamav: 'none' | 'tag' | 'reject';
}

export interface ReconcileAntispam {
  entries: ReconcileAntispamEntry[];
  recipients: ReconcileRecipientPolicy[];
}

/** Where Postfix asks the policy service (POLICY_HOST, POLICY_PORT). */
export interface ReconcilePolicyService {
  host: string;
  port: number;
}

export interface ReconcileInput {
  /** The global tier with built-in defaults applied (every field present). */
  global: GlobalSettings;
  /** One signing key per active, DKIM-enabled domain (the newest of its selectors). */
  dkimKeys: ReconcileDkimKey[];
  database: MailstackDatabase;
  /** Optional: a server certificate already on disk. Without one Postfix offers no STARTTLS. */
  tls?: ReconcileTls | null;
  /** Rspamd's lists and per-recipient policy; absent = Rspamd's rendered files are left as they are. */
  antispam?: ReconcileAntispam | null;
  /** The policy service Postfix consults for sending and size limits; absent = none. */
  policy?: ReconcilePolicyService | null;
  /** Domains whose mail leaves from their own address (outgoing_ip not "auto"); absent = none. */
  outgoing?: { domain: string; ip: string }[];
}

export type ReconcileStepOutcome = 'unchanged' | 'changed' | 'ok' | 'skipped' | 'failed' | 'rolled_back';

export interface ReconcileStep {
  name: string;
  outcome: ReconcileStepOutcome;
  detail?: string;
  duration_ms: number;
}

export interface ReconcileResult {
  steps: ReconcileStep[];
  /** Files whose content changed. */
  changed: string[];
  /** Daemons reloaded or restarted because something of theirs changed. */
  reloaded: string[];
  duration_ms: number;
}

/** A check failed: the previous files were restored and the daemons keep running on them. */
export class ReconcileError extends Error {
  constructor(
    readonly reason: string,
    readonly steps: ReconcileStep[],
  ) {
    super(reason);
    this.name = 'ReconcileError';
  }
}

export type ReconcileProgress = (percent: number, step: ReconcileStep) => void;
