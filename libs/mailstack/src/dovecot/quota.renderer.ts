import { join } from 'node:path';

/** Included by the base dovecot.conf with `!include_try` (scripts/lib/mailstack.sh). */
export const DOVECOT_INCLUDE_FILE = 'mailplane.conf';

export const dovecotIncludePath = (dovecotDir: string) => join(dovecotDir, DOVECOT_INCLUDE_FILE);

/**
 * The quota plugin: a maildir quota root whose limit is each user's quota_rule from the userdb
 * (mailstack.users). No grace: a message that would cross the limit is refused (LMTP 552 5.2.2), and
 * Postfix bounces it.
 */
export function renderDovecotQuota(): string {
  return [
    '# Rendered by Mailplane reconcile; do not edit.',
    'plugin {',
    '  quota = maildir:User quota',
    '  quota_grace = 0%%',
    '  quota_exceeded_message = 5.2.2 Mailbox is full',
    '}',
    '',
  ].join('\n');
}
