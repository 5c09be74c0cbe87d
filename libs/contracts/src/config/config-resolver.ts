import type { FieldError } from '../errors/error-codes.js';
import {
  builtInDefaults,
  DOMAIN_FIELDS,
  GLOBAL_CAPPED_FIELDS,
  GLOBAL_FIELDS,
  MAILBOX_FIELDS,
  type DomainSettings,
  type FieldCatalog,
  type GlobalSettings,
  type MailboxSettings,
  type SettingsOf,
} from './config-fields.js';

export interface ConfigLayer<S extends string> {
  source: S;
  settings: Readonly<Record<string, unknown>>;
}

/** Effective values and, per field, where each came from: `default` (built in) or the layer's source. */
export interface Resolved<C extends FieldCatalog, S extends string> {
  settings: SettingsOf<C>;
  sources: Record<keyof C, S | 'default'>;
}

/**
 * Effective settings for one catalog: layers from widest to narrowest over the built-in defaults;
 * for each field the narrowest layer holding a non-null value wins. `caps` bound numeric fields: a
 * value above its cap (a narrower tier stored before the cap was lowered) is clamped to the cap and
 * reported as coming from `capSource`.
 */
export function resolveLayers<C extends FieldCatalog, S extends string>(
  catalog: C,
  layers: readonly ConfigLayer<S>[],
  caps: { values: Partial<Record<keyof C, number>>; source: S } | null = null,
): Resolved<C, S> {
  const settings = builtInDefaults(catalog) as Record<string, unknown>;
  const sources = Object.fromEntries(Object.keys(catalog).map((k) => [k, 'default'])) as Record<string, S | 'default'>;
  for (const layer of layers) {
    for (const name of Object.keys(catalog)) {
      const v = layer.settings[name];
      if (v !== undefined && v !== null) {
        settings[name] = v;
        sources[name] = layer.source;
      }
    }
  }
  if (caps) {
    for (const [name, cap] of Object.entries(caps.values) as [string, number | undefined][]) {
      if (cap !== undefined && typeof settings[name] === 'number' && (settings[name] as number) > cap) {
        settings[name] = cap;
        sources[name] = caps.source;
      }
    }
  }
  return { settings: settings as SettingsOf<C>, sources: sources as Record<keyof C, S | 'default'> };
}

/** The global tier as stored, over the built-in defaults. */
export function effectiveGlobal(stored: Readonly<Record<string, unknown>>): GlobalSettings {
  return resolveLayers(GLOBAL_FIELDS, [{ source: 'global', settings: stored }]).settings;
}

/** The caps a global tier imposes on narrower tiers (fields of the same name). */
export function globalCaps(global: GlobalSettings): Partial<Record<(typeof GLOBAL_CAPPED_FIELDS)[number], number>> {
  return Object.fromEntries(GLOBAL_CAPPED_FIELDS.map((k) => [k, global[k]]));
}

/**
 * Values of a narrower tier above a global cap, as field errors naming the cap. Only fields present in
 * `settings` are checked (what the caller is setting now).
 */
export function capViolations(settings: Readonly<Record<string, unknown>>, global: GlobalSettings): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, cap] of Object.entries(globalCaps(global))) {
    const v = settings[name];
    if (typeof v === 'number' && v > cap) {
      errors.push({ field: name, message: `${name} (${v}) exceeds the global cap ${name} = ${cap}` });
    }
  }
  return errors;
}

export type DomainSource = 'default' | 'global' | 'domain_defaults' | 'override';

/**
 * A domain's effective settings: built-in defaults ← global (fields of the same name) ← domain
 * defaults ← the domain's overrides, narrowest non-null wins; message_size_limit never above the
 * global one.
 */
export function resolveDomainSettings(tiers: {
  global: Readonly<Record<string, unknown>>;
  domainDefaults: Readonly<Record<string, unknown>>;
  overrides: Readonly<Record<string, unknown>>;
}): Resolved<typeof DOMAIN_FIELDS, DomainSource> & { settings: DomainSettings } {
  const global = effectiveGlobal(tiers.global);
  const storedGlobal = Object.fromEntries(
    Object.keys(DOMAIN_FIELDS)
      .filter((k) => Object.hasOwn(GLOBAL_FIELDS, k))
      .map((k) => [k, tiers.global[k]]),
  );
  return resolveLayers<typeof DOMAIN_FIELDS, DomainSource>(
    DOMAIN_FIELDS,
    [
      { source: 'global', settings: storedGlobal },
      { source: 'domain_defaults', settings: tiers.domainDefaults },
      { source: 'override', settings: tiers.overrides },
    ],
    { values: globalCaps(global), source: 'global' },
  );
}

export type MailboxSource = 'default' | 'global' | 'mailbox_defaults' | 'domain' | 'mailbox' | 'override';

/** Mailbox fields a domain may also set (its value applies to every mailbox of the domain unless narrower). */
export const DOMAIN_SHARED_MAILBOX_FIELDS = ['spam_threshold', 'spam_action', 'message_size_limit'] as const;

/**
 * A mailbox's effective settings: built-in defaults ← global (fields of the same name) ← mailbox
 * defaults ← the domain's own overrides (only the fields a domain shares with a mailbox) ← the
 * mailbox row (`quota_bytes` when not null) ← the mailbox's overrides; the narrowest non-null value
 * wins and message_size_limit never exceeds the global one.
 *
 * `domainOverrides` are the domain's explicit overrides, not its effective settings: a domain's
 * effective value always exists (built-in default at worst) and would hide the mailbox defaults.
 */
export function resolveMailboxSettings(tiers: {
  global: Readonly<Record<string, unknown>>;
  mailboxDefaults: Readonly<Record<string, unknown>>;
  domainOverrides: Readonly<Record<string, unknown>>;
  quotaBytes: number | null;
  overrides: Readonly<Record<string, unknown>>;
}): Resolved<typeof MAILBOX_FIELDS, MailboxSource> & { settings: MailboxSettings } {
  const global = effectiveGlobal(tiers.global);
  const pick = (from: Readonly<Record<string, unknown>>, names: readonly string[]) =>
    Object.fromEntries(names.filter((k) => Object.hasOwn(from, k)).map((k) => [k, from[k]]));
  return resolveLayers<typeof MAILBOX_FIELDS, MailboxSource>(
    MAILBOX_FIELDS,
    [
      {
        source: 'global',
        settings: pick(
          tiers.global,
          Object.keys(MAILBOX_FIELDS).filter((k) => Object.hasOwn(GLOBAL_FIELDS, k)),
        ),
      },
      { source: 'mailbox_defaults', settings: tiers.mailboxDefaults },
      { source: 'domain', settings: pick(tiers.domainOverrides, DOMAIN_SHARED_MAILBOX_FIELDS) },
      { source: 'mailbox', settings: { quota_bytes: tiers.quotaBytes } },
      { source: 'override', settings: tiers.overrides },
    ],
    { values: globalCaps(global), source: 'global' },
  );
}
