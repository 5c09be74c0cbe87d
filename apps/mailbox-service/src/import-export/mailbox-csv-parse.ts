import { parse } from 'csv-parse/sync';
import { ApiErrorCode, AppError, MAILBOX_CSV_ALT_COLUMNS, MAILBOX_CSV_COLUMNS, MAILBOX_IMPORT_MAX_ROWS, type FieldError } from '#contracts';

export type RawImportRow = Record<string, unknown>;

const KNOWN = new Set<string>([...MAILBOX_CSV_COLUMNS, ...MAILBOX_CSV_ALT_COLUMNS]);

export function importInvalid(fields: FieldError[], detail = 'The import cannot be read.'): AppError {
  return new AppError(ApiErrorCode.VALIDATION_FAILED, 'Validation failed', detail, fields, 'MAILBOX_IMPORT_INVALID');
}

/** The columns must be known ones and name the address (address, or username [+ domain]). */
export function checkColumns(columns: readonly string[], field: string): void {
  const unknown = columns.filter((c) => !KNOWN.has(c));
  const fields: FieldError[] = unknown.map((c) => ({ field, message: `unknown column "${c}"; columns are ${[...KNOWN].join(', ')}` }));
  const dup = columns.filter((c, i) => columns.indexOf(c) !== i);
  for (const c of new Set(dup)) fields.push({ field, message: `column "${c}" appears more than once` });
  if (!columns.includes('address') && !columns.includes('username')) fields.push({ field, message: 'a column address (or username) is required' });
  if (fields.length) throw importInvalid(fields);
}

/**
 * Parses CSV text with a header row into one object per data row (csv-parse: RFC 4180 quoting,
 * BOM, CRLF or LF; empty lines skipped). Header names are trimmed and lower-cased.
 */
export function parseMailboxCsv(text: string): RawImportRow[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, to_line: MAILBOX_IMPORT_MAX_ROWS + 2 }) as string[][];
  } catch (err) {
    throw importInvalid([{ field: 'csv', message: `not valid CSV: ${(err as Error).message}` }]);
  }
  if (!records.length) throw importInvalid([{ field: 'csv', message: 'the CSV has no header row' }]);
  const header = records[0].map((h) => h.trim().toLowerCase());
  checkColumns(header, 'csv');
  const data = records.slice(1);
  if (data.length > MAILBOX_IMPORT_MAX_ROWS) throw importInvalid([{ field: 'csv', message: `at most ${MAILBOX_IMPORT_MAX_ROWS} rows` }]);
  return data.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}
