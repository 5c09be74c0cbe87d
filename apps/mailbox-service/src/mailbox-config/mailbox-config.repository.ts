import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '#database';
import { withAliasWriteLock } from '../aliases/aliases.repository.js';

type Settings = Record<string, unknown>;

/** Everything a mailbox's effective settings (and its override checks) are resolved from. */
export interface MailboxLayers {
  global: Settings;
  mailboxDefaults: Settings;
  domainDefaults: Settings;
  domainOverrides: Settings;
  overrides: Settings;
  quotaBytes: number | null;
  domainActive: boolean;
}

/** mailbox_overrides rows and the tiers above them. */
@Injectable()
export class MailboxConfigRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async getOverrides(mailboxId: string): Promise<Settings> {
    const rows: { settings: Settings }[] = await this.ds.query(`SELECT settings FROM mailbox_overrides WHERE mailbox_id = $1`, [mailboxId]);
    return rows[0]?.settings ?? {};
  }

  /** Sets the fields of `set` and removes the fields `unset` in one statement (no lost update). */
  async mergeOverrides(mailboxId: string, set: Settings, unset: string[], manager: EntityManager = this.ds.manager): Promise<Settings> {
    const rows = rowsOf<{ settings: Settings }>(
      await manager.query(
        `INSERT INTO mailbox_overrides (mailbox_id, settings) VALUES ($1, $2::jsonb)
         ON CONFLICT (mailbox_id) DO UPDATE SET settings = (mailbox_overrides.settings - $3::text[]) || EXCLUDED.settings, updated_at = now()
         RETURNING settings`,
        [mailboxId, JSON.stringify(set), unset],
      ),
    );
    return rows[0].settings;
  }

  /** Runs `fn` in a transaction holding the alias write lock: forwards are alias-graph edges (loop checks). */
  withAliasWriteLock<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return withAliasWriteLock(this.ds, fn);
  }

  /** The tiers above a mailbox and its own row and overrides, read in one statement; undefined when the mailbox is gone. */
  async layers(mailboxId: string): Promise<MailboxLayers | undefined> {
    const rows: {
      g: Settings | null;
      md: Settings | null;
      dd: Settings | null;
      dov: Settings | null;
      o: Settings | null;
      quota_bytes: string | null;
      domain_active: boolean;
    }[] = await this.ds.query(
      `SELECT (SELECT settings FROM global_config WHERE id = 1) AS g,
              (SELECT settings FROM mailbox_defaults WHERE id = 1) AS md,
              (SELECT settings FROM domain_defaults WHERE id = 1) AS dd,
              (SELECT settings FROM domain_overrides WHERE domain_id = m.domain_id) AS dov,
              (SELECT settings FROM mailbox_overrides WHERE mailbox_id = m.id) AS o,
              m.quota_bytes,
              (SELECT active FROM domains WHERE id = m.domain_id) AS domain_active
         FROM mailboxes m WHERE m.id = $1`,
      [mailboxId],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      global: r.g ?? {},
      mailboxDefaults: r.md ?? {},
      domainDefaults: r.dd ?? {},
      domainOverrides: r.dov ?? {},
      overrides: r.o ?? {},
      quotaBytes: r.quota_bytes === null ? null : Number(r.quota_bytes),
      domainActive: r.domain_active,
    };
  }
}
