import { join } from 'node:path';
import type { MailstackDatabase } from '../reconcile/reconcile.types.js';

/** The Postfix lookup tables, each a query over one `mailstack` view (routing lives in the database). */
export const PGSQL_MAPS = {
  virtual_domains: `SELECT 'OK' FROM mailstack.virtual_domains WHERE domain = '%s'`,
  virtual_mailboxes: `SELECT maildir FROM mailstack.virtual_mailboxes WHERE address = '%s'`,
  // Several rows (one per destination) are joined with commas by Postfix.
  virtual_aliases: `SELECT destination FROM mailstack.virtual_aliases WHERE source = '%s'`,
  transport: `SELECT transport FROM mailstack.transport WHERE domain = '%s'`,
  // Access maps (check_recipient_access, check_sasl_access): the result is the restriction to apply.
  require_tls_inbound: `SELECT 'reject_plaintext_session' FROM mailstack.require_tls_inbound WHERE domain = '%s'`,
  require_tls_client: `SELECT 'reject_plaintext_session' FROM mailstack.require_tls_client WHERE username = '%s'`,
} as const;
export type PgsqlMapName = keyof typeof PGSQL_MAPS;

export function pgsqlMapPath(postfixDir: string, name: PgsqlMapName): string {
  return join(postfixDir, 'pgsql', `${name}.cf`);
}

/** A pgsql_table(5) value must stay on one line; Postfix takes the rest of the line verbatim. */
function oneLine(field: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`database ${field} must not contain a line break`);
  return value.trim();
}

/** `hosts` accepts host:port, or unix:/socket/dir for a local socket. */
function hostsValue(db: MailstackDatabase): string {
  if (db.host.startsWith('/')) return `unix:${db.host}/.s.PGSQL.${db.port}`;
  const host = db.host.includes(':') ? `[${db.host}]` : db.host;
  return `inet:${host}:${db.port}`;
}

export function renderPgsqlMap(db: MailstackDatabase, name: PgsqlMapName): string {
  const lines = [
    '# Rendered by Mailplane reconcile; do not edit.',
    `hosts = ${oneLine('host', hostsValue(db))}`,
    `user = ${oneLine('user', db.user)}`,
    ...(db.password ? [`password = ${oneLine('password', db.password)}`] : []),
    `dbname = ${oneLine('dbname', db.dbname)}`,
    `query = ${PGSQL_MAPS[name]}`,
  ];
  return lines.join('\n') + '\n';
}

/** Every map file with its content, keyed by map name. */
export function renderPgsqlMaps(db: MailstackDatabase, postfixDir: string): { name: PgsqlMapName; path: string; content: string }[] {
  return (Object.keys(PGSQL_MAPS) as PgsqlMapName[]).map((name) => ({ name, path: pgsqlMapPath(postfixDir, name), content: renderPgsqlMap(db, name) }));
}
