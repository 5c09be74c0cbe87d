/**
 * CSV writing for the mailbox export and the matching read-side guard removal (the parsing itself is
 * csv-parse's, in mailbox-service).
 *
 * Formula guard: a spreadsheet runs a cell starting with = + - @ (or TAB/CR) as a formula, so such a
 * value is written with a leading `'`. To keep the round trip exact, a value already starting with
 * `'` gets one too; `unguardCsvValue` removes exactly one `'` before any of those characters.
 */
const FORMULA_START = /^[=+\-@\t\r']/;
const NEEDS_QUOTES = /[",\r\n]/;

export function guardCsvValue(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function unguardCsvValue(value: string): string {
  return value.length > 1 && value[0] === "'" && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/** One field: formula-guarded text, quoted (quotes doubled) when it holds a quote, comma or line break. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? guardCsvValue(value) : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated (RFC 4180). */
export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
