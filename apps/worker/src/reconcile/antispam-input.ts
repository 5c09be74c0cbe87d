import type { DataSource } from 'typeorm';
import { resolveDomainSettings, resolveMailboxSettings, type MailboxSettings } from '#contracts';
import type { ReconcileAntispam, ReconcileAntispamEntry, ReconcileRecipientPolicy } from '#mailstack';

type Settings = Record<string, unknown>;
const TENANT_ACTIVE = 'EXISTS (SELECT 1 FROM tenants t WHERE t.id = d.tenant_id AND t.active)';

/** Spam at SMTP time is only the reject action; tag and junk happen at delivery (Sieve, per mailbox). */
const rejectAt = (s: Pick<MailboxSettings, 'spam_action' | 'spam_threshold'>) => (s.spam_action === 'reject' ? s.spam_threshold : null);

/**
 * Rspamd's input: the platform lists, and per recipient what must be decided at SMTP time. Mailboxes
 * appear only when their own overrides set a spam field (the rest follow their domain's entry), so the
 * map stays as small as the number of domains plus the mailboxes that differ.
 */
export async function loadAntispamInput(ds: DataSource, global: Settings): Promise<ReconcileAntispam> {
  const [tiers, domains, mailboxes, entries] = await Promise.all([
    ds.query(`SELECT (SELECT settings FROM domain_defaults WHERE id = 1) AS dd, (SELECT settings FROM mailbox_defaults WHERE id = 1) AS md`) as Promise<
      { dd: Settings | null; md: Settings | null }[]
    >,
    ds.query(
      `SELECT d.name, COALESCE(o.settings, '{}'::jsonb) AS overrides
         FROM domains d LEFT JOIN domain_overrides o ON o.domain_id = d.id
        WHERE d.active AND ${TENANT_ACTIVE} ORDER BY d.name`,
    ) as Promise<{ name: string; overrides: Settings }[]>,
    ds.query(
      `SELECT m.address, d.name AS domain, mo.settings AS overrides
         FROM mailbox_overrides mo JOIN mailboxes m ON m.id = mo.mailbox_id JOIN domains d ON d.id = m.domain_id
        WHERE (mo.settings ? 'spam_threshold' OR mo.settings ? 'spam_action') AND m.active AND d.active AND ${TENANT_ACTIVE}
        ORDER BY m.address`,
    ) as Promise<{ address: string; domain: string; overrides: Settings }[]>,
    ds.query(
      `SELECT e.list, e.entry_type, e.value, d.name AS domain
         FROM antispam_entries e LEFT JOIN domains d ON d.id = e.domain_id
        WHERE e.domain_id IS NULL OR (d.active AND ${TENANT_ACTIVE})
        ORDER BY d.name NULLS FIRST, e.list, e.entry_type, e.value`,
    ) as Promise<{ list: ReconcileAntispamEntry['list']; entry_type: ReconcileAntispamEntry['entryType']; value: string; domain: string | null }[]>,
  ]);
  const domainDefaults = tiers[0]?.dd ?? {};
  const mailboxDefaults = tiers[0]?.md ?? {};
  const policy = (key: string, domainOverrides: Settings, overrides: Settings): ReconcileRecipientPolicy => {
    const dom = resolveDomainSettings({ global, domainDefaults, overrides: domainOverrides }).settings;
    const mbx = resolveMailboxSettings({ global, mailboxDefaults, domainOverrides, quotaBytes: null, overrides }).settings;
    return { key, rejectAt: rejectAt(mbx), greylist: dom.greylisting_enabled, clamav: dom.clamav_action };
  };
  const byDomain = new Map(domains.map((d) => [d.name, d.overrides]));
  return {
    entries: entries.map((e) => ({ list: e.list, entryType: e.entry_type, value: e.value, domain: e.domain })),
    recipients: [
      policy('*', {}, {}),
      ...domains.map((d) => policy(`@${d.name}`, d.overrides, {})),
      ...mailboxes.map((m) => policy(m.address, byDomain.get(m.domain) ?? {}, m.overrides)),
    ],
  };
}
