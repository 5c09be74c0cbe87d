/** One changed leaf: `path` is dotted (`limits.max_domains`); arrays compare as whole values. */
export interface AuditDiffEntry {
  before: unknown;
  after: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Field-level difference of two states of one object; null unless both are objects (a create has
 * no before, a delete no after: those entries carry the whole object instead). A field present on
 * one side only is reported with `null` on the other.
 */
export function auditDiff(before: unknown, after: unknown): Record<string, AuditDiffEntry> | null {
  if (!isPlainObject(before) || !isPlainObject(after)) return null;
  const out: Record<string, AuditDiffEntry> = {};
  const walk = (b: Record<string, unknown>, a: Record<string, unknown>, prefix: string) => {
    for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
      const bv = b[key];
      const av = a[key];
      if (isPlainObject(bv) && isPlainObject(av)) walk(bv, av, `${prefix}${key}.`);
      else if (!same(bv, av)) out[`${prefix}${key}`] = { before: bv ?? null, after: av ?? null };
    }
  };
  walk(before, after, '');
  return out;
}
