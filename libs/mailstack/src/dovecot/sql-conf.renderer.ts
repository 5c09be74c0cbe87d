import { join } from 'node:path';
import type { MailstackDatabase } from '../reconcile/reconcile.types.js';

/** The args file of the base dovecot.conf's `passdb/userdb { driver = sql }` (scripts/lib/mailstack.sh). */
export const DOVECOT_SQL_FILE = 'mailplane-sql.conf.ext';

export const dovecotSqlPath = (dovecotDir: string) => join(dovecotDir, DOVECOT_SQL_FILE);

/** A libpq connection-string value: quoted, with ' and \ escaped. */
function pqValue(v: string): string {
  if (/[\r\n]/.test(v)) throw new Error('database settings must not contain line breaks');
  return /^[A-Za-z0-9_.\-/]+$/.test(v) ? v : `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

export function dovecotConnectString(db: MailstackDatabase): string {
  const parts = [`host=${pqValue(db.host)}`, `port=${db.port}`, `dbname=${pqValue(db.dbname)}`, `user=${pqValue(db.user)}`];
  if (db.password) parts.push(`password=${pqValue(db.password)}`);
  return parts.join(' ');
}

/**
 * Logins are refused per protocol: %s is the service asking (imap, pop3; Postfix SASL asks as smtp).
 * Any other service (doveadm, lmtp) is not a login by the mailbox's owner.
 */
export const PASSWORD_QUERY =
  `SELECT username AS user, password FROM mailstack.users WHERE username = '%u' AND ` +
  `CASE '%s' WHEN 'imap' THEN enabled_imap WHEN 'pop3' THEN enabled_pop3 WHEN 'smtp' THEN enabled_smtp WHEN 'submission' THEN enabled_smtp ELSE true END`;
/**
 * home matches mail_location maildir:/var/vmail/%d/%n; quota_rule NULL = unlimited. sieve_env_* fields
 * become settings the platform's Sieve script reads (vacation, spam tag/junk; scripts/lib/mailstack.sh ms__sieve_before).
 */
export const USER_QUERY =
  `SELECT home, quota_rule, vacation AS sieve_env_mailplane_vacation, vacation_message AS sieve_env_mailplane_vacation_message, ` +
  `spam_threshold AS sieve_env_mailplane_spam_threshold, spam_action AS sieve_env_mailplane_spam_action, ` +
  `auto_junk_threshold AS sieve_env_mailplane_auto_junk ` +
  `FROM mailstack.users WHERE username = '%u'`;
export const ITERATE_QUERY = `SELECT username AS user FROM mailstack.users`;

export function renderDovecotSql(db: MailstackDatabase): string {
  return [
    '# Rendered by Mailplane reconcile; do not edit.',
    'driver = pgsql',
    `connect = ${dovecotConnectString(db)}`,
    // Stored hashes carry their {SCHEME} prefix; this applies only to a hash without one.
    'default_pass_scheme = ARGON2ID',
    `password_query = ${PASSWORD_QUERY}`,
    `user_query = ${USER_QUERY}`,
    `iterate_query = ${ITERATE_QUERY}`,
    '',
  ].join('\n');
}
