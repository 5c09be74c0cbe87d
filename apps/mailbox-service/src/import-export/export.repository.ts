import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CallerContext, ExportMailboxesQueryDto, MailboxExportPage } from '#contracts';
import { matchDomainRef, visibleThroughDomain } from '#database';

/** Mailboxes for the CSV export: keyset pages in address order, scoped like the list. */
@Injectable()
export class ExportRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async page(ctx: CallerContext, q: ExportMailboxesQueryDto, after: string | undefined, limit: number): Promise<MailboxExportPage> {
    const where = visibleThroughDomain(ctx, 'm.tenant_id');
    if (q.domain !== undefined && !matchDomainRef(where, q.domain)) where.raw('false');
    if (q.active !== undefined) where.add('m.active = ?', q.active);
    if (after !== undefined) where.add('m.address > ?', after);
    const rows: { address: string; name: string; quota_bytes: string | null; active: boolean }[] = await this.ds.query(
      `SELECT m.address, m.name, m.quota_bytes, m.active FROM mailboxes m JOIN domains d ON d.id = m.domain_id ${where}
        ORDER BY m.address LIMIT ${where.param(limit + 1)}`,
      where.params,
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit).map((r) => ({ ...r, quota_bytes: r.quota_bytes === null ? null : Number(r.quota_bytes) }));
    return { rows: page, next: more ? page[page.length - 1].address : null };
  }
}
