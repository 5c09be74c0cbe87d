import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { rowsOf } from '#database';
import { containsPattern, listMeta, orderBy, pageClause, resolvePage, SqlWhere, totalOf } from '#common';
import {
  isUuid,
  type AntispamEntryDto,
  type AntispamEntryType,
  type AntispamList,
  type AntispamSortField,
  type ListAntispamEntriesQueryDto,
  type Paginated,
} from '#contracts';

const COLUMNS = 'id, list, entry_type, value, comment, created_at, domain_id';
const SORT_COLUMNS: Record<AntispamSortField, string> = { value: 'value', entry_type: 'entry_type', created_at: 'created_at' };

interface EntryRow {
  id: string;
  list: AntispamList;
  entry_type: AntispamEntryType;
  value: string;
  comment: string;
  created_at: Date;
  domain_id: string | null;
  total?: string;
}

function toDto(r: EntryRow): AntispamEntryDto {
  return {
    id: r.id,
    list: r.list,
    entry_type: r.entry_type,
    value: r.value,
    comment: r.comment,
    created_at: new Date(r.created_at).toISOString(),
    domain_id: r.domain_id,
  };
}

@Injectable()
export class AntispamRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** `domainId` null: the platform list; else that domain's own list. */
  async list(list: AntispamList, domainId: string | null, q: ListAntispamEntriesQueryDto): Promise<Paginated<AntispamEntryDto>> {
    const page = resolvePage(q, { sort: 'created_at', order: 'asc' });
    const where = new SqlWhere().add('list = ?', list).add('domain_id IS NOT DISTINCT FROM ?::uuid', domainId);
    if (q.entry_type) where.add('entry_type = ?', q.entry_type);
    if (q.search) where.add('value ILIKE ?', containsPattern(q.search.toLowerCase()));
    const rows: EntryRow[] = await this.ds.query(
      `SELECT ${COLUMNS}, count(*) OVER () AS total FROM antispam_entries ${where} ${orderBy(SORT_COLUMNS, page)} ${pageClause(where)}`,
      [...where.params, page.limit, page.offset],
    );
    const total = await totalOf(rows, page.offset, async () => {
      const c: { n: string }[] = await this.ds.query(`SELECT count(*) AS n FROM antispam_entries ${where}`, where.params);
      return Number(c[0].n);
    });
    return { data: rows.map(toDto), meta: listMeta(page, total) };
  }

  async insert(list: AntispamList, domainId: string | null, type: AntispamEntryType, value: string, comment: string): Promise<AntispamEntryDto> {
    const rows: EntryRow[] = await this.ds.query(
      `INSERT INTO antispam_entries (list, domain_id, entry_type, value, comment) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [list, domainId, type, value, comment],
    );
    return toDto(rows[0]);
  }

  async delete(list: AntispamList, domainId: string | null, id: string): Promise<AntispamEntryDto | undefined> {
    if (!isUuid(id)) return undefined;
    const rows = rowsOf<EntryRow>(
      await this.ds.query(`DELETE FROM antispam_entries WHERE list = $1 AND id = $2 AND domain_id IS NOT DISTINCT FROM $3::uuid RETURNING ${COLUMNS}`, [
        list,
        id.toLowerCase(),
        domainId,
      ]),
    );
    return rows[0] ? toDto(rows[0]) : undefined;
  }
}
