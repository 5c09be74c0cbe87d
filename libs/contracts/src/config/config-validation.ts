import type { FieldError } from '../errors/error-codes.js';
import { normalizeDomainName } from '../domains/domain-name.js';
import type { FieldCatalog, FieldSpec, ListItem } from './config-fields.js';
import { checkIpOrCidr, normalizeMailAddress } from './net-values.js';

export interface ValidatedSettings {
  /** Valid fields in canonical form (lists normalised). */
  values: Record<string, unknown>;
  /** Fields sent as null where null means "inherit" (overrides). */
  unset: string[];
  errors: FieldError[];
}

export interface ValidateOptions {
  /** Overrides: null reverts a field to inheritance instead of being a value. */
  nullMeansInherit?: boolean;
}

const MAX_URL = 2048;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkItem(item: ListItem, v: unknown): { ok: true; value: string } | { ok: false; reason: string } {
  if (item === 'ip_or_cidr') return checkIpOrCidr(v);
  if (item === 'dns_name') {
    const name = typeof v === 'string' ? normalizeDomainName(v) : null;
    return name ? { ok: true, value: name } : { ok: false, reason: 'must be a DNS name such as zen.spamhaus.org' };
  }
  const address = normalizeMailAddress(v);
  return address ? { ok: true, value: address } : { ok: false, reason: 'must be an RFC 5321 address such as alice@example.com' };
}

/** One field's value: the canonical value, or the message for `fields`. */
export function checkField(name: string, f: FieldSpec, v: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const fail = (message: string) => ({ ok: false as const, message: `${name} ${message}` });
  switch (f.kind) {
    case 'int':
      return Number.isSafeInteger(v) && (v as number) >= f.min && (v as number) <= f.max
        ? { ok: true, value: v }
        : fail(`must be an integer between ${f.min} and ${f.max}`);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && v >= f.min && v <= f.max
        ? { ok: true, value: v }
        : fail(`must be a number between ${f.min} and ${f.max}`);
    case 'bool':
      return typeof v === 'boolean' ? { ok: true, value: v } : fail('must be true or false');
    case 'enum':
      return typeof v === 'string' && f.values.includes(v) ? { ok: true, value: v } : fail(`must be one of: ${f.values.join(', ')}`);
    case 'text':
      if (v === null) return { ok: true, value: null };
      return typeof v === 'string' && v.length <= f.maxLength ? { ok: true, value: v } : fail(`must be a string of at most ${f.maxLength} characters, or null`);
    case 'url': {
      if (v === null) return { ok: true, value: null };
      let url: URL | null;
      try {
        url = typeof v === 'string' && v.length <= MAX_URL ? new URL(v) : null;
      } catch {
        url = null;
      }
      return url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname
        ? { ok: true, value: v }
        : fail('must be an http or https URL, or null');
    }
    case 'path':
      if (v === null) return { ok: true, value: null };
      return typeof v === 'string' && v.length <= 1024 && /^\/[A-Za-z0-9._/-]*$/.test(v) && !v.split('/').includes('..')
        ? { ok: true, value: v }
        : fail('must be an absolute path of letters, digits and ._-/ (no ..), or null');
    case 'list': {
      if (!Array.isArray(v)) return fail(`must be an array (at most ${f.maxItems} entries)`);
      if (v.length > f.maxItems) return fail(`must have at most ${f.maxItems} entries`);
      const out: string[] = [];
      for (const [i, item] of v.entries()) {
        const r = checkItem(f.item, item);
        if (!r.ok) return fail(`[${i}] ${r.reason}`);
        if (out.includes(r.value)) return fail(`[${i}] repeats ${r.value}`);
        out.push(r.value);
      }
      return { ok: true, value: out };
    }
  }
}

/**
 * Checks a settings object against a catalog: unknown fields, types, ranges, enums and list items,
 * every problem reported (not only the first) so `fields` names them all.
 */
export function validateSettings(catalog: FieldCatalog, input: unknown, options: ValidateOptions = {}): ValidatedSettings {
  const out: ValidatedSettings = { values: {}, unset: [], errors: [] };
  if (!isPlainObject(input)) {
    out.errors.push({ field: '(body)', message: 'the body must be a JSON object of settings' });
    return out;
  }
  for (const [name, value] of Object.entries(input)) {
    const spec = Object.hasOwn(catalog, name) ? catalog[name] : undefined;
    if (!spec) {
      out.errors.push({ field: name, message: `${name} is not a known field` });
    } else if (value === null && options.nullMeansInherit) {
      out.unset.push(name);
    } else if (value === null && spec.kind !== 'text' && spec.kind !== 'url' && spec.kind !== 'path') {
      out.errors.push({ field: name, message: `${name} must not be null` });
    } else {
      const r = checkField(name, spec, value);
      if (r.ok) out.values[name] = r.value;
      else out.errors.push({ field: name, message: r.message });
    }
  }
  return out;
}

/** Keeps only the catalog's fields of a stored object (a field removed from the catalog is ignored). */
export function knownFields(catalog: FieldCatalog, stored: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(stored).filter(([k]) => Object.hasOwn(catalog, k)));
}
