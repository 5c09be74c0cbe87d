import { parse } from 'csv-parse/sync';
import { MAILBOX_IMPORT_MAX_ROWS, unguardCsvValue, type CreateMailboxDto, type MailboxImportPreviewDto } from '#contracts';

export type RawImportRow = Record<string, unknown>;

/**
 * The rows of an import body (csv or rows), numbered like mailbox-service's preview numbers them.
 * Call after the preview accepted the body: it reports unreadable CSV and unknown columns.
 */
export function importRowsOf(body: MailboxImportPreviewDto): RawImportRow[] {
  if (body.rows !== undefined) return body.rows.map((r) => ({ ...r }) as RawImportRow);
  const records = parse(body.csv ?? '', { bom: true, skip_empty_lines: true, relax_column_count: false, to_line: MAILBOX_IMPORT_MAX_ROWS + 2 }) as string[][];
  if (!records.length) return [];
  const header = records[0].map((h) => h.trim().toLowerCase());
  return records.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

function text(v: unknown, trim = true, unguard = true): string {
  if (typeof v !== 'string') return '';
  const t = trim ? v.trim() : v;
  return unguard ? unguardCsvValue(t) : t;
}

/**
 * A row the preview found valid, as the body of POST /mailboxes (the same reading the preview
 * applied: trimmed, formula guard removed, quota blank = inherit, active blank = true).
 */
export function createBodyOf(r: RawImportRow): CreateMailboxDto {
  const address = text(r.address);
  const body: CreateMailboxDto = address
    ? { username: address, password: text(r.password, false, false) }
    : { username: text(r.username), password: text(r.password, false, false) };
  const domain = text(r.domain);
  if (domain) body.domain = domain;
  const name = text(r.name);
  if (name) body.name = name;
  const q = r.quota_bytes;
  if (typeof q === 'number') body.quota_bytes = q;
  else if (typeof q === 'string' && q.trim() !== '') body.quota_bytes = Number(q.trim());
  const a = r.active;
  if (typeof a === 'boolean') body.active = a;
  else if (typeof a === 'string' && a.trim() !== '') body.active = ['true', '1', 'yes', 'y'].includes(a.trim().toLowerCase());
  return body;
}
