import { DEFAULT_PAGE_LIMIT, type ListMetaDto, type SortOrder } from '#contracts';

export interface PageQuery<S extends string> {
  page?: number;
  limit?: number;
  sort?: S;
  order?: SortOrder;
}

export interface ResolvedPage<S extends string> {
  page: number;
  limit: number;
  offset: number;
  sort: S;
  order: SortOrder;
}

export function resolvePage<S extends string>(q: PageQuery<S>, defaults: { sort: S; order: SortOrder }): ResolvedPage<S> {
  const page = q.page ?? 1;
  const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
  return { page, limit, offset: (page - 1) * limit, sort: q.sort ?? defaults.sort, order: q.order ?? defaults.order };
}

/** `ORDER BY` from a whitelist: the column comes from `columns`, never from the request. */
export function orderBy<S extends string>(columns: Record<S, string>, p: ResolvedPage<S>, tieBreaker = 'id'): string {
  const dir = p.order === 'desc' ? 'DESC' : 'ASC';
  return `ORDER BY ${columns[p.sort]} ${dir} NULLS LAST, ${tieBreaker} ${dir}`;
}

/**
 * `LIMIT $n OFFSET $n+1`, numbered after the WHERE's parameters; pass
 * `[...where.params, page.limit, page.offset]` with it (the WHERE stays reusable for a count).
 */
export function pageClause(where: SqlWhere): string {
  const n = where.params.length;
  return `LIMIT $${n + 1} OFFSET $${n + 2}`;
}

/** ILIKE pattern for a substring search, with the user's wildcards escaped. */
export function containsPattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Rows selected with `count(*) OVER () AS total` carry the total; past the last page there are no
 * rows to carry it, so count separately only then.
 */
export async function totalOf(rows: { total?: string | number }[], offset: number, count: () => Promise<number>): Promise<number> {
  if (rows.length > 0) return Number(rows[0].total);
  return offset === 0 ? 0 : count();
}

export function listMeta(p: { page: number; limit: number }, total: number): ListMetaDto {
  return { page: p.page, limit: p.limit, total };
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * One page plus the exact total, as two statements run side by side. For tables that grow large:
 * `count(*) OVER ()` would make PostgreSQL join and count every matching row before LIMIT, so a
 * page would cost as much as the whole set; here the page walks the index and stops at LIMIT.
 */
export async function pageWithTotal<R>(
  db: Queryable,
  parts: {
    select: string;
    from: string;
    where: SqlWhere;
    orderBy: string;
    /** A cheaper FROM for the count, used when no condition mentions `needs` (e.g. a joined table's alias). */
    countFrom?: { from: string; unless: RegExp };
  },
  page: { limit: number; offset: number },
): Promise<{ rows: R[]; total: number }> {
  const { select, from, where, orderBy: order, countFrom } = parts;
  const conditions = where.toString();
  const fromForCount = countFrom && !countFrom.unless.test(conditions) ? countFrom.from : from;
  const [rows, count] = await Promise.all([
    db.query(`SELECT ${select} ${from} ${conditions} ${order} ${pageClause(where)}`, [...where.params, page.limit, page.offset]),
    db.query(`SELECT count(*) AS n ${fromForCount} ${conditions}`, where.params),
  ]);
  return { rows: rows as R[], total: Number((count as { n: string }[])[0].n) };
}

/** Collects WHERE conditions with numbered parameters. */
export class SqlWhere {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  /** `sql` uses `?` for the one parameter it adds. */
  add(sql: string, value: unknown): this {
    this.params.push(value);
    this.conditions.push(sql.replace('?', `$${this.params.length}`));
    return this;
  }

  raw(sql: string): this {
    this.conditions.push(sql);
    return this;
  }

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  toString(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}
