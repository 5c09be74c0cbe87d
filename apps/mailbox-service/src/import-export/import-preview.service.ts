import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  isUuid,
  MAILBOX_PASSWORD_MAX_LENGTH,
  normalizeDomainName,
  normalizeLocalAddress,
  splitAddress,
  unguardCsvValue,
  type CallerContext,
  type MailboxImportPreviewDto,
  type MailboxImportPreviewResultDto,
  type MailboxImportVerdictDto,
} from '#contracts';
import { MAILBOX_SETTINGS, type MailboxSettings } from '../config/mailbox-settings.js';
import { visibleThroughDomain, type DomainRef } from '#database';
import { passwordPolicyProblems } from '../mailboxes/password-policy.js';
import { checkColumns, importInvalid, parseMailboxCsv, type RawImportRow } from './mailbox-csv-parse.js';

const NAME_MAX_LENGTH = 255;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n']);

interface Candidate {
  row: number;
  reasons: string[];
  /** What the row names as its domain (normalised name or UUID), when it names one. */
  domainRef?: string;
  local?: string;
  /** The domain name the row's address names, when the domain is also given by UUID. */
  expectDomain?: string;
  password?: string;
  address?: string;
}

/** A text cell: absent/null → '', strings trimmed and formula-unguarded; anything else → undefined (wrong type). */
function text(v: unknown, { trim = true, unguard = true } = {}): string | undefined {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') return undefined;
  const t = trim ? v.trim() : v;
  return unguard ? unguardCsvValue(t) : t;
}

export function parseQuota(v: unknown): { ok: true; value: number | null } | { ok: false } {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return { ok: true, value: null };
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? { ok: true, value: n } : { ok: false };
}

export function parseActive(v: unknown): { ok: true; value: boolean } | { ok: false } {
  if (v === undefined || v === null) return { ok: true, value: true };
  if (typeof v === 'boolean') return { ok: true, value: v };
  if (typeof v !== 'string') return { ok: false };
  const w = v.trim().toLowerCase();
  if (w === '' || TRUE_WORDS.has(w)) return { ok: true, value: true };
  if (FALSE_WORDS.has(w)) return { ok: true, value: false };
  return { ok: false };
}

/**
 * Dry run of a mailbox import: per row, every rule `POST /mailboxes` applies (address and local-part
 * rules, domain visible to the caller, address free, password policy, quota, active), plus
 * duplicates within the file. Reads only; nothing is written.
 */
@Injectable()
export class ImportPreviewService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(MAILBOX_SETTINGS) private readonly settings: MailboxSettings,
  ) {}

  async preview(ctx: CallerContext, body: MailboxImportPreviewDto): Promise<MailboxImportPreviewResultDto> {
    const given = (body.csv !== undefined ? 1 : 0) + (body.rows !== undefined ? 1 : 0);
    if (given !== 1) throw importInvalid([{ field: '(body)', message: 'give exactly one of csv or rows' }]);
    let rows: RawImportRow[];
    if (body.csv !== undefined) {
      rows = parseMailboxCsv(body.csv);
    } else {
      rows = (body.rows ?? []).map((r) => ({ ...r }) as RawImportRow);
      // Unknown keys were refused by validation; an empty list is simply an empty preview.
      if (rows.length) checkColumns([...new Set(rows.flatMap((r) => Object.keys(r)))], 'rows');
    }

    const candidates = rows.map((r, i) => this.checkRow(r, i + 1));
    const domains = await this.visibleDomains(
      ctx,
      candidates.flatMap((c) => (c.domainRef ? [c.domainRef] : [])),
    );
    for (const c of candidates) this.checkAddress(c, c.domainRef === undefined ? undefined : domains.get(c.domainRef));

    const firstRow = new Map<string, number>();
    for (const c of candidates) {
      if (!c.address) continue;
      const first = firstRow.get(c.address);
      if (first === undefined) firstRow.set(c.address, c.row);
      else c.reasons.push(`address: ${c.address} is a duplicate of row ${first}`);
    }
    const taken = await this.addressOwners([...firstRow.keys()]);
    for (const c of candidates) {
      const owner = c.address && taken.get(c.address);
      if (owner) c.reasons.push(`address: ${c.address} is already used by a${owner === 'alias' ? 'n' : ''} ${owner}`);
    }

    const verdicts: MailboxImportVerdictDto[] = candidates.map((c) => {
      const v: MailboxImportVerdictDto = { row: c.row, ok: c.reasons.length === 0 };
      if (c.address) v.address = c.address;
      if (!v.ok) v.reasons = c.reasons;
      return v;
    });
    const ok = verdicts.filter((v) => v.ok).length;
    return { rows: verdicts, summary: { total: verdicts.length, ok, failed: verdicts.length - ok } };
  }

  /**
   * Local part and password policy against the row's domain. An address is only claimed for the row
   * (duplicates, "taken") when its domain is visible, so nothing about other tenants' addresses leaks.
   */
  private checkAddress(c: Candidate, domain: DomainRef | undefined): void {
    let local = c.local ?? '';
    if (c.domainRef !== undefined && c.local !== undefined) {
      if (!domain) c.reasons.push(`domain: no domain ${c.domainRef} is visible to you`);
      if (domain && c.expectDomain && domain.name !== c.expectDomain) {
        c.reasons.push(`domain: the address’s domain must be the mailbox’s domain ${domain.name}`);
      } else {
        const domainName = domain?.name ?? (isUuid(c.domainRef) ? 'example.com' : c.domainRef);
        const addr = normalizeLocalAddress(c.local, domainName);
        if (!addr.ok) c.reasons.push(`address: ${addr.problem}`);
        else {
          local = addr.local;
          if (domain) c.address = addr.address;
        }
      }
    }
    if (c.password !== undefined) {
      c.reasons.push(...passwordPolicyProblems(c.password, local, this.settings).map((f) => `password: ${f.message}`));
    }
  }

  /** The checks one row allows without the database; domain and local part are kept for the rest. */
  private checkRow(r: RawImportRow, row: number): Candidate {
    const c: Candidate = { row, reasons: [] };
    const address = text(r.address);
    const username = text(r.username);
    const domain = text(r.domain);
    if (address === undefined) c.reasons.push('address: must be text');
    if (username === undefined) c.reasons.push('username: must be text');
    if (domain === undefined) c.reasons.push('domain: must be text');

    if (address !== undefined && username !== undefined && domain !== undefined) this.resolveAddress(c, address, username, domain);

    const name = text(r.name, { unguard: true });
    if (name === undefined) c.reasons.push('name: must be text');
    else if ([...name].length > NAME_MAX_LENGTH) c.reasons.push(`name: at most ${NAME_MAX_LENGTH} characters`);

    const password = text(r.password, { trim: false, unguard: false });
    if (password === undefined) c.reasons.push('password: must be text');
    else if (password === '') c.reasons.push('password: required');
    else if ([...password].length > MAILBOX_PASSWORD_MAX_LENGTH) c.reasons.push(`password: at most ${MAILBOX_PASSWORD_MAX_LENGTH} characters`);
    else c.password = password;

    if (!parseQuota(r.quota_bytes).ok) c.reasons.push('quota_bytes: must be a whole number of bytes ≥ 0 (blank = inherit)');
    if (!parseActive(r.active).ok) c.reasons.push('active: must be true or false (blank = true)');
    return c;
  }

  /**
   * As create: the address is `address`, or `username` (local part or full address) with `domain`
   * (name or UUID); whichever are given must agree. Sets the local part and the domain to look up.
   */
  private resolveAddress(c: Candidate, address: string, username: string, domain: string): void {
    const reasons: string[] = [];
    if (address && username) reasons.push('address: give address, or username and domain, not both');
    const full = address || username;
    const parts = splitAddress(full);
    if (!full) reasons.push('address: required (or username and domain)');
    else if (address && !parts) reasons.push('address: must be a full address such as user@example.com');
    const fromAddress = parts ? normalizeDomainName(parts.domain) : undefined;
    const fromColumn = domain ? (isUuid(domain) ? domain.toLowerCase() : normalizeDomainName(domain)) : undefined;
    if (fromAddress === null) reasons.push(`${address ? 'address' : 'username'}: the domain part is not a valid domain name`);
    if (fromColumn === null) reasons.push('domain: not a valid domain name');
    if (fromAddress && fromColumn && !isUuid(fromColumn) && fromAddress !== fromColumn) {
      reasons.push(`domain: ${fromColumn} is not the address’s domain ${fromAddress}`);
    }
    if (full && fromAddress === undefined && fromColumn === undefined) reasons.push('domain: give domain, or a full address');
    c.reasons.push(...reasons);
    if (reasons.length) return;
    c.local = parts ? parts.local : full;
    c.domainRef = (fromColumn ?? fromAddress)!;
    // A domain UUID beside a full address: the address's domain must be that domain.
    if (fromAddress && fromColumn && isUuid(fromColumn)) c.expectDomain = fromAddress;
  }

  /** Visible domains among `refs` (names or UUIDs), keyed by the ref. */
  private async visibleDomains(ctx: CallerContext, refs: string[]): Promise<Map<string, DomainRef>> {
    const unique = [...new Set(refs)];
    const byRef = new Map<string, DomainRef>();
    if (!unique.length) return byRef;
    const where = visibleThroughDomain(ctx, 'd.tenant_id');
    const ids = unique.filter(isUuid);
    const names = unique.filter((r) => !isUuid(r));
    where.raw(`(d.name = ANY(${where.param(names)}) OR d.id = ANY(${where.param(ids)}::uuid[]))`);
    const rows: DomainRef[] = await this.ds.query(`SELECT d.id, d.tenant_id, d.name FROM domains d ${where}`, where.params);
    for (const d of rows) {
      byRef.set(d.name, d);
      byRef.set(d.id, d);
    }
    return byRef;
  }

  private async addressOwners(addresses: string[]): Promise<Map<string, string>> {
    if (!addresses.length) return new Map();
    const rows: { address: string; owner_kind: string }[] = await this.ds.query(`SELECT address, owner_kind FROM mail_addresses WHERE address = ANY($1)`, [
      addresses,
    ]);
    return new Map(rows.map((r) => [r.address, r.owner_kind]));
  }
}
