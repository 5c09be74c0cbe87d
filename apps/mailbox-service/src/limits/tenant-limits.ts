import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { MAILBOX_FIELDS, resolveDomainSettings } from '#contracts';

type Settings = Record<string, unknown>;

/** A tenant's limits (null = unlimited) and a domain's effective limits (0 = unlimited). */
export interface Limits {
  tenant: { max_mailboxes: number | null; max_aliases: number | null; storage_bytes: number | null };
  domain: { name: string; max_mailboxes: number; max_aliases: number; quota_total_bytes: number };
  /** The quota a mailbox gets when neither its row nor its overrides set one. */
  defaultQuota: number;
}

/** A limit that would be exceeded: `detail` names it, e.g. "tenant limit max_mailboxes (5) reached". */
export interface LimitBreach {
  detail: string;
}

/** A mailbox whose storage is being claimed: a new one (`id` absent) or an existing one whose quota changes. */
export interface QuotaClaim {
  id?: string;
  /** Its effective quota after the change (0 = unlimited). */
  quota: number;
  /** Its effective quota before the change (existing mailbox only). */
  previous?: number;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));
/** 0 means unlimited: compare as infinity. */
const size = (q: number): number => (q === 0 ? Infinity : q);

/**
 * Tenant limits (tenants.max_mailboxes/max_aliases/storage_bytes) and a domain's effective limits
 * (max_mailboxes, max_aliases, quota_total_bytes). Callers run these inside the transaction that
 * writes: `lock` takes the tenant row then the domain row FOR UPDATE (always in that order, so two
 * writers never deadlock), then counting and writing cannot interleave with another writer's.
 */
@Injectable()
export class TenantLimits {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Runs `fn` in a transaction holding the tenant and domain locks; undefined (nothing run) when the domain is gone. */
  withLock<T>(tenantId: string, domainId: string, fn: (tx: EntityManager, limits: Limits) => Promise<T>): Promise<T | undefined> {
    return this.ds.transaction(async (tx) => {
      const limits = await this.lock(tx, tenantId, domainId);
      return limits ? fn(tx, limits) : undefined;
    });
  }

  /** The mailbox's quota_bytes override, if it has one. */
  async overrideQuota(tx: EntityManager, mailboxId: string): Promise<number | undefined> {
    const rows: { q: string | null }[] = await tx.query(`SELECT settings->>'quota_bytes' AS q FROM mailbox_overrides WHERE mailbox_id = $1`, [mailboxId]);
    return rows[0]?.q == null ? undefined : Number(rows[0].q);
  }

  /** Locks the tenant and the domain rows and reads the limits in force; undefined when the domain is gone. */
  async lock(tx: EntityManager, tenantId: string, domainId: string): Promise<Limits | undefined> {
    const t: { max_mailboxes: number | null; max_aliases: number | null; storage_bytes: string | null }[] = await tx.query(
      `SELECT max_mailboxes, max_aliases, storage_bytes FROM tenants WHERE id = $1 FOR UPDATE`,
      [tenantId],
    );
    const d: { name: string }[] = await tx.query(`SELECT name FROM domains WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, [domainId, tenantId]);
    if (!t[0] || !d[0]) return undefined;
    const [tiers]: { g: Settings | null; dd: Settings | null; o: Settings | null; md: Settings | null }[] = await tx.query(
      `SELECT (SELECT settings FROM global_config WHERE id = 1) AS g, (SELECT settings FROM domain_defaults WHERE id = 1) AS dd,
              (SELECT settings FROM domain_overrides WHERE domain_id = $1) AS o, (SELECT settings FROM mailbox_defaults WHERE id = 1) AS md`,
      [domainId],
    );
    const eff = resolveDomainSettings({ global: tiers.g ?? {}, domainDefaults: tiers.dd ?? {}, overrides: tiers.o ?? {} }).settings;
    const mdQuota = tiers.md?.quota_bytes;
    return {
      tenant: { max_mailboxes: t[0].max_mailboxes, max_aliases: t[0].max_aliases, storage_bytes: num(t[0].storage_bytes) },
      domain: { name: d[0].name, max_mailboxes: eff.max_mailboxes, max_aliases: eff.max_aliases, quota_total_bytes: eff.quota_total_bytes },
      defaultQuota: typeof mdQuota === 'number' ? mdQuota : MAILBOX_FIELDS.quota_bytes.default,
    };
  }

  /** Whether one more mailbox fits the counts and `claim` fits the storage limits. */
  async mailboxBreach(tx: EntityManager, tenantId: string, domainId: string, limits: Limits, claim: QuotaClaim): Promise<LimitBreach | undefined> {
    const needCount = claim.id === undefined && (limits.tenant.max_mailboxes !== null || limits.domain.max_mailboxes > 0);
    const needStorage = limits.tenant.storage_bytes !== null || limits.domain.quota_total_bytes > 0;
    if (!needCount && !needStorage) return undefined;
    const [u]: { tn: string; tq: string | null; tu: boolean | null; dn: string; dq: string | null; du: boolean | null }[] = await tx.query(
      `SELECT count(*) AS tn, sum(q) AS tq, bool_or(q = 0) AS tu,
              count(*) FILTER (WHERE domain_id = $2) AS dn, sum(q) FILTER (WHERE domain_id = $2) AS dq, bool_or(q = 0) FILTER (WHERE domain_id = $2) AS du
         FROM (SELECT m.domain_id, coalesce((o.settings->>'quota_bytes')::bigint, m.quota_bytes, $3::bigint) AS q
                 FROM mailboxes m LEFT JOIN mailbox_overrides o ON o.mailbox_id = m.id
                WHERE m.tenant_id = $1 AND m.id IS DISTINCT FROM $4::uuid) s`,
      [tenantId, domainId, limits.defaultQuota, claim.id ?? null],
    );
    const d = limits.domain;
    if (claim.id === undefined) {
      const max = limits.tenant.max_mailboxes;
      if (max !== null && Number(u.tn) >= max) return { detail: `tenant limit max_mailboxes (${max}) reached` };
      if (d.max_mailboxes > 0 && Number(u.dn) >= d.max_mailboxes) return { detail: `domain limit max_mailboxes (${d.max_mailboxes}) of ${d.name} reached` };
    }
    // A quota that does not grow never breaches (lowering one while over the limit is allowed).
    if (claim.previous !== undefined && size(claim.quota) <= size(claim.previous)) return undefined;
    const over = (limit: number, used: string | null, unlimited: boolean | null) => unlimited || claim.quota === 0 || Number(used ?? 0) + claim.quota > limit;
    const explain = (used: string | null, unlimited: boolean | null) =>
      claim.quota === 0
        ? 'an unlimited quota (0) cannot fit'
        : unlimited
          ? 'a mailbox with an unlimited quota (0) already uses it'
          : `${Number(used ?? 0)} bytes already allotted, ${claim.quota} more requested`;
    const cap = limits.tenant.storage_bytes;
    if (cap !== null && over(cap, u.tq, u.tu)) return { detail: `tenant limit storage_bytes (${cap}) exceeded: ${explain(u.tq, u.tu)}` };
    if (d.quota_total_bytes > 0 && over(d.quota_total_bytes, u.dq, u.du)) {
      return { detail: `domain limit quota_total_bytes (${d.quota_total_bytes}) of ${d.name} exceeded: ${explain(u.dq, u.du)}` };
    }
    return undefined;
  }

  /** Whether one more alias fits the tenant's and the domain's max_aliases. */
  async aliasBreach(tx: EntityManager, tenantId: string, domainId: string, limits: Limits): Promise<LimitBreach | undefined> {
    const max = limits.tenant.max_aliases;
    const d = limits.domain;
    if (max === null && d.max_aliases === 0) return undefined;
    const [n]: { tn: string; dn: string }[] = await tx.query(
      `SELECT count(*) AS tn, count(*) FILTER (WHERE domain_id = $2) AS dn FROM aliases WHERE tenant_id = $1`,
      [tenantId, domainId],
    );
    if (max !== null && Number(n.tn) >= max) return { detail: `tenant limit max_aliases (${max}) reached` };
    if (d.max_aliases > 0 && Number(n.dn) >= d.max_aliases) return { detail: `domain limit max_aliases (${d.max_aliases}) of ${d.name} reached` };
    return undefined;
  }

  /** A mailbox's effective quota from its override, its row and the default. */
  static effectiveQuota(override: unknown, column: number | null, defaultQuota: number): number {
    return typeof override === 'number' ? override : (column ?? defaultQuota);
  }
}
