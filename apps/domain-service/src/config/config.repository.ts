import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { rowsOf } from '#database';
import type { ConfigTier } from '#contracts';

type Settings = Record<string, unknown>;

/** Table names come from this map, never from a request. */
const TIER_TABLES: Record<ConfigTier, string> = {
  global: 'global_config',
  domain_defaults: 'domain_defaults',
  mailbox_defaults: 'mailbox_defaults',
};

/** The configuration tiers' JSONB rows: singleton tiers (id = 1) and per-domain overrides. */
@Injectable()
export class ConfigRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async getTier(tier: ConfigTier): Promise<Settings> {
    const rows: { settings: Settings }[] = await this.ds.query(`SELECT settings FROM ${TIER_TABLES[tier]} WHERE id = 1`);
    return rows[0]?.settings ?? {};
  }

  /** Replaces the tier's settings with exactly `settings`. */
  async putTier(tier: ConfigTier, settings: Settings): Promise<Settings> {
    const table = TIER_TABLES[tier];
    const rows = rowsOf<{ settings: Settings }>(
      await this.ds.query(
        `INSERT INTO ${table} (id, settings) VALUES (1, $1::jsonb)
         ON CONFLICT (id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now() RETURNING settings`,
        [JSON.stringify(settings)],
      ),
    );
    return rows[0].settings;
  }

  /** Replaces the fields `keys` of the global tier with `values` (keys absent from `values` are removed), atomically. */
  async replaceGlobalSubset(keys: readonly string[], values: Settings): Promise<Settings> {
    const rows = rowsOf<{ settings: Settings }>(
      await this.ds.query(
        `INSERT INTO global_config (id, settings) VALUES (1, $2::jsonb)
         ON CONFLICT (id) DO UPDATE SET settings = (global_config.settings - $1::text[]) || EXCLUDED.settings, updated_at = now()
         RETURNING settings`,
        [keys, JSON.stringify(values)],
      ),
    );
    return rows[0].settings;
  }

  async getOverrides(domainId: string): Promise<Settings> {
    const rows: { settings: Settings }[] = await this.ds.query(`SELECT settings FROM domain_overrides WHERE domain_id = $1`, [domainId]);
    return rows[0]?.settings ?? {};
  }

  /** Sets the fields of `set` and removes the fields `unset` in one statement (no lost update). */
  async mergeOverrides(domainId: string, set: Settings, unset: string[]): Promise<Settings> {
    const rows = rowsOf<{ settings: Settings }>(
      await this.ds.query(
        `INSERT INTO domain_overrides (domain_id, settings) VALUES ($1, $2::jsonb)
         ON CONFLICT (domain_id) DO UPDATE SET settings = (domain_overrides.settings - $3::text[]) || EXCLUDED.settings, updated_at = now()
         RETURNING settings`,
        [domainId, JSON.stringify(set), unset],
      ),
    );
    return rows[0].settings;
  }

  /** The three layers a domain's effective settings are resolved from, read in one statement. */
  async domainLayers(domainId: string): Promise<{ global: Settings; domainDefaults: Settings; overrides: Settings }> {
    const rows: { global: Settings | null; domain_defaults: Settings | null; overrides: Settings | null }[] = await this.ds.query(
      `SELECT (SELECT settings FROM global_config WHERE id = 1) AS global,
              (SELECT settings FROM domain_defaults WHERE id = 1) AS domain_defaults,
              (SELECT settings FROM domain_overrides WHERE domain_id = $1) AS overrides`,
      [domainId],
    );
    const r = rows[0];
    return { global: r?.global ?? {}, domainDefaults: r?.domain_defaults ?? {}, overrides: r?.overrides ?? {} };
  }
}
