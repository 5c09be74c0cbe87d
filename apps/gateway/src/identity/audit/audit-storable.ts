import { toStorableText } from '#common';

/** Longest JSON text kept per jsonb column; larger values keep a preview (request bodies may be 1 MiB). */
export const MAX_AUDIT_JSON_CHARS = 64 * 1024;
export const AUDIT_PREVIEW_CHARS = 4096;
const MAX_DEPTH = 64;

/**
 * A copy of a JSON value that PostgreSQL's jsonb accepts whatever the caller sent: NUL and unpaired
 * surrogates in strings and keys become U+FFFD (jsonb refuses `\u0000` and a lone `\ud800`), so an
 * odd input can never make the audit insert fail.
 */
export function storableValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return toStorableText(value);
  if (value === null || typeof value !== 'object') return typeof value === 'number' && !Number.isFinite(value) ? null : value;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.map((v) => storableValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[toStorableText(k)] = storableValue(v, depth + 1);
  return out;
}

/**
 * The jsonb text for one audit column, or null. Too large a value is kept as
 * `{"_truncated": true, "_chars": n, "_preview": "<start of its JSON>"}`.
 */
export function storableJson(value: unknown, maxChars = MAX_AUDIT_JSON_CHARS): string | null {
  if (value === null || value === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(storableValue(value));
  } catch {
    text = undefined; // a cycle or a BigInt: not from a JSON body, but the entry is still written
  }
  if (text === undefined) return JSON.stringify({ _unserializable: true });
  if (text.length <= maxChars) return text;
  // Slicing may split a surrogate pair: clean the preview again.
  return JSON.stringify({ _truncated: true, _chars: text.length, _preview: toStorableText(text.slice(0, Math.min(AUDIT_PREVIEW_CHARS, maxChars))) });
}

/** A text column's value: storable, and at most `max` characters. */
export function storableText(value: string | null, max = 2048): string | null {
  return value === null ? null : toStorableText(value.length > max ? value.slice(0, max) : value);
}
