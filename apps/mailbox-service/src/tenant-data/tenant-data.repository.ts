import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MAILBOX_FIELDS, type MailboxTenantUsage } from '#contracts';

interface UsageRow {
  tenant_id: string;
  mailboxes: string;
  aliases: string;
  storage: string | null;
  unlimited: string;
}

/**
 * Tenant-wide reads and deletes of the rows this service owns (mailboxes, aliases, their addresses).
 * Storage is the sum of the mailboxes' effective quotas, computed as TenantLimits does (mailbox
 * override, the row's quota_bytes, mailbox defaults, 1 GiB), so it is the figure storage_bytes is
 * enforced against; unlimited (0) quotas are counted apart.
 */
@Injectable()
export class TenantDataRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async usage(tenantIds: string[]): Promise<MailboxTenantUsage> {
    const rows: UsageRow[] = await this.ds.query(
      `SELECT t.id AS tenant_id,
              (SELECT count(*) FROM aliases WHERE tenant_id = t.id) AS aliases,
              count(q.bytes) AS mailboxes,
              sum(q.bytes) FILTER (WHERE q.bytes > 0) AS storage,
              count(*) FILTER (WHERE q.bytes = 0) AS unlimited
         FROM unnest($1::uuid[]) AS t(id)
         LEFT JOIN LATERAL (
           SELECT coalesce((o.settings->>'quota_bytes')::numeric::bigint, m.quota_bytes,
                           (SELECT (settings->>'quota_bytes')::numeric::bigint FROM mailbox_defaults WHERE id = 1),
                           $2::bigint) AS bytes
             FROM mailboxes m LEFT JOIN mailbox_overrides o ON o.mailbox_id = m.id
            WHERE m.tenant_id = t.id) q ON true
        GROUP BY t.id`,
      [tenantIds, Number(MAILBOX_FIELDS.quota_bytes.default)],
    );
    const out: MailboxTenantUsage = {};
    for (const r of rows) {
      out[r.tenant_id] = {
        mailboxes: Number(r.mailboxes),
        aliases: Number(r.aliases),
        storage_bytes: Number(r.storage ?? 0),
        unlimited_mailboxes: Number(r.unlimited),
      };
    }
    return out;
  }

  /** Every mailbox and alias of the tenant, in one transaction. mail_addresses has no foreign key (mailboxes and aliases share it): its rows go by owner. */
  purge(tenantId: string): Promise<Record<string, number>> {
    return this.ds.transaction(async (tx) => {
      const count = (r: unknown) => (Array.isArray(r) && typeof r[1] === 'number' ? r[1] : 0);
      const addresses = await tx.query(
        `DELETE FROM mail_addresses WHERE owner_id IN (SELECT id FROM mailboxes WHERE tenant_id = $1 UNION ALL SELECT id FROM aliases WHERE tenant_id = $1)`,
        [tenantId],
      );
      const aliases = await tx.query(`DELETE FROM aliases WHERE tenant_id = $1`, [tenantId]);
      const mailboxes = await tx.query(`DELETE FROM mailboxes WHERE tenant_id = $1`, [tenantId]);
      return { mail_addresses: count(addresses), aliases: count(aliases), mailboxes: count(mailboxes) };
    });
  }

  /** Every mailbox and alias of one domain (and their addresses), in one transaction. */
  purgeDomain(domainId: string): Promise<Record<string, number>> {
    return this.ds.transaction(async (tx) => {
      const count = (r: unknown) => (Array.isArray(r) && typeof r[1] === 'number' ? r[1] : 0);
      const addresses = await tx.query(
        `DELETE FROM mail_addresses
          WHERE (owner_kind = 'mailbox' AND owner_id IN (SELECT id FROM mailboxes WHERE domain_id = $1))
             OR (owner_kind = 'alias' AND owner_id IN (SELECT id FROM aliases WHERE domain_id = $1))`,
        [domainId],
      );
      const aliases = await tx.query(`DELETE FROM aliases WHERE domain_id = $1`, [domainId]);
      const mailboxes = await tx.query(`DELETE FROM mailboxes WHERE domain_id = $1`, [domainId]);
      return { mail_addresses: count(addresses), aliases: count(aliases), mailboxes: count(mailboxes) };
    });
  }
}
