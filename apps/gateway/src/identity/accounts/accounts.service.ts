import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { hashAccountPassword, type AppConfig } from '#common';
import type { Paginated, Role } from '#contracts';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '#database';
import { CredentialsService } from '../auth/credentials.service.js';
import { cidrsWithin, parseIpAllowlist } from '../auth/ip-allowlist.js';
import { isPlatformAdmin, isRestrictedKey, type Principal } from '../../shared/principal.js';
import { InjectConfig } from '../../shared/app-config.js';
import { AccountError, AccountErrorCode } from './account.errors.js';
import { AccountsRepository, type AccountRow, type AccountWrite } from './accounts.repository.js';
import type { AccountDto, CreateAccountDto, ListAccountsQueryDto, UpdateAccountDto } from './dto/account.dto.js';
import { assertAccountPassword } from './password-policy.js';

const iso = (d: Date) => new Date(d).toISOString();
const invalid = (field: string, message: string) => new AccountError(AccountErrorCode.BadDelegation, 'Validation failed', `${message}.`, [{ field, message }]);

/**
 * Accounts and delegation. Tenant admins see and manage their own tenant's accounts, platform admins
 * every tenant's; domain admins never get here (accounts:* is not in their role). Another tenant's
 * account is 404. Deactivating or deleting an account ends its sessions and keys at once.
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly repo: AccountsRepository,
    private readonly credentials: CredentialsService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async list(p: Principal, q: ListAccountsQueryDto): Promise<Paginated<AccountDto>> {
    const { rows, total } = await this.repo.list(this.scope(p), q, !isPlatformAdmin(p));
    return { data: rows.map(toDto), meta: { page: q.page ?? 1, limit: q.limit ?? 50, total } };
  }

  async get(p: Principal, id: string): Promise<AccountDto> {
    return toDto(await this.find(p, id));
  }

  async create(p: Principal, dto: CreateAccountDto): Promise<AccountDto> {
    assertAccountPassword(dto.password, 'password');
    const tenant = await this.targetTenant(p, dto.tenant);
    await this.checkRole(p, dto.role, tenant.name);
    const delegated = dto.delegated_domains ?? [];
    this.checkDelegationShape(p, dto.role, delegated);
    const ips = this.ipAllowlist(p, dto.ip_allowlist ?? null);
    const hash = await hashAccountPassword(dto.password);
    const id = await this.uniqueEmail(dto.email, () =>
      this.repo.transaction(async (tx) => {
        const newId = await this.repo.insert(tx, tenant.id, {
          email: dto.email.toLowerCase(),
          password_hash: hash,
          role: dto.role,
          active: dto.active ?? true,
          ip_allowlist: ips,
        });
        if (delegated.length) await this.repo.setDelegation(tx, newId, await this.resolve(tx, tenant.id, delegated));
        return newId;
      }),
    );
    return this.get(p, id);
  }

  async update(p: Principal, id: string, dto: UpdateAccountDto): Promise<AccountDto> {
    if (Object.values(dto).every((v) => v === undefined)) {
      throw new AccountError(
        AccountErrorCode.NothingToChange,
        'Validation failed',
        'Send at least one of email, password, role, delegated_domains, active, ip_allowlist.',
        [{ field: 'body', message: 'nothing to change' }],
      );
    }
    if (dto.password !== undefined) assertAccountPassword(dto.password, 'password');
    const ips = dto.ip_allowlist !== undefined ? this.ipAllowlist(p, dto.ip_allowlist) : undefined;
    const hash = dto.password !== undefined ? await hashAccountPassword(dto.password) : undefined;
    await this.uniqueEmail(dto.email ?? '', () =>
      this.repo.transaction(async (tx) => {
        const a = await this.find(p, id, tx);
        const role = dto.role ?? a.role;
        if (dto.role !== undefined && dto.role !== a.role) await this.checkRole(p, dto.role, await this.repo.tenantName(a.tenant_id, tx));
        const self = a.id === p.account_id;
        if (self && (dto.active === false || (dto.role !== undefined && dto.role !== a.role))) {
          throw new AccountError(AccountErrorCode.Self, 'Conflict', 'You cannot deactivate your own account or change your own role.');
        }
        if (a.role === 'platform_admin' && (dto.active === false || role !== 'platform_admin')) await this.notLastPlatformAdmin(tx, a.id);
        const delegated = dto.delegated_domains ?? (role === 'domain_admin' ? a.delegated_domains : []);
        this.checkDelegationShape(p, role, delegated);
        const write: AccountWrite = { email: dto.email?.toLowerCase(), password_hash: hash, role: dto.role, active: dto.active, ip_allowlist: ips };
        await this.repo.update(tx, a.id, write);
        if (dto.delegated_domains !== undefined || role !== a.role) await this.repo.setDelegation(tx, a.id, await this.resolve(tx, a.tenant_id, delegated));
        if (dto.active === false) {
          await this.repo.revokeRefreshTokens(tx, a.id);
          await this.repo.revokeKeys(tx, a.id);
        } else if (hash) {
          await this.repo.revokeRefreshTokens(tx, a.id);
        }
      }),
    );
    // This replica drops the cached account and its keys now; the others within AUTH_CACHE_TTL_MS.
    this.credentials.forgetAccount(id);
    return this.get(p, id);
  }

  async remove(p: Principal, id: string): Promise<void> {
    await this.repo.transaction(async (tx) => {
      const a = await this.find(p, id, tx);
      if (a.id === p.account_id) throw new AccountError(AccountErrorCode.Self, 'Conflict', 'You cannot delete your own account.');
      if (a.role === 'platform_admin') await this.notLastPlatformAdmin(tx, a.id);
      // Keys and refresh tokens go with the row (ON DELETE CASCADE).
      await this.repo.delete(tx, a.id);
    });
    this.credentials.forgetAccount(id);
  }

  private scope(p: Principal): string | null {
    return isPlatformAdmin(p) ? null : p.tenant_id;
  }

  private async find(p: Principal, id: string, tx?: EntityManager): Promise<AccountRow> {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
    const a = uuid ? await this.repo.find(id.toLowerCase(), this.scope(p), tx, tx !== undefined) : undefined;
    // A restricted key manages domain admins only; a platform admin's account is out of reach of every
    // other role (even in its own tenant): anything else is as good as absent.
    const hidden = (isRestrictedKey(p) && a?.role !== 'domain_admin') || (a?.role === 'platform_admin' && !isPlatformAdmin(p));
    if (!a || hidden) throw new AccountError(AccountErrorCode.NotFound, 'Not found', `No account ${id}.`);
    return a;
  }

  private async targetTenant(p: Principal, ref: string | undefined): Promise<{ id: string; name: string }> {
    const t = await this.repo.findTenant(ref ?? p.tenant_id);
    if (!t || (!isPlatformAdmin(p) && t.id !== p.tenant_id)) {
      throw new AccountError(AccountErrorCode.TenantNotFound, 'Not found', `No tenant ${ref}.`);
    }
    return t;
  }

  /** platform_admin: granted by platform admins only, and only inside the platform tenant. */
  private async checkRole(p: Principal, role: Role, tenantName: string): Promise<void> {
    if (role === 'platform_admin' && !isPlatformAdmin(p)) {
      throw new AccountError(AccountErrorCode.RoleForbidden, 'Forbidden', 'Only platform admins can grant the platform_admin role.');
    }
    if (role !== 'domain_admin' && isRestrictedKey(p)) {
      throw new AccountError(
        AccountErrorCode.RoleForbidden,
        'Forbidden',
        'An API key without `*` or with a domain allow-list can only manage domain_admin accounts.',
      );
    }
    if (role === 'platform_admin' && tenantName !== this.config.BOOTSTRAP_TENANT_NAME) {
      throw invalid('role', `platform_admin accounts live in the platform tenant (${this.config.BOOTSTRAP_TENANT_NAME}) only`);
    }
    // A tenant or domain admin there would manage platform objects (and the platform admins' accounts).
    if (role !== 'platform_admin' && tenantName === this.config.BOOTSTRAP_TENANT_NAME) {
      throw invalid('role', `the platform tenant (${this.config.BOOTSTRAP_TENANT_NAME}) holds platform_admin accounts only`);
    }
  }

  /** Canonical CIDR blocks (or null = anywhere), as for keys: an IP-restricted key may only set a list inside its own. */
  private ipAllowlist(p: Principal, values: string[] | null): string[] | null {
    let list: string[] | null = null;
    if (values !== null) {
      const parsed = parseIpAllowlist(values, 'ip_allowlist');
      if (!parsed.ok)
        throw new AccountError(AccountErrorCode.InvalidIpAllowlist, 'Validation failed', 'ip_allowlist holds an invalid CIDR block.', parsed.fields);
      list = parsed.value;
    }
    const own = p.api_key_ip_allowlist ?? null;
    if (!cidrsWithin(own, list)) {
      throw new AccountError(
        AccountErrorCode.IpAllowlistBeyondCaller,
        'IP allowlist beyond your rights',
        `Your key is limited to ${own!.join(', ')}; it cannot allow ${(list ?? ['(anywhere)']).join(', ')}.`,
      );
    }
    return list;
  }

  private checkDelegationShape(p: Principal, role: Role, refs: string[]): void {
    if (role !== 'domain_admin' && refs.length) throw invalid('delegated_domains', 'delegated_domains is only for the domain_admin role');
    if (p.domain_allowlist) {
      const outside = refs.filter((r) => !p.domain_allowlist!.includes(r.toLowerCase()));
      if (outside.length)
        throw new AccountError(
          AccountErrorCode.RoleForbidden,
          'Forbidden',
          `You may only delegate ${p.domain_allowlist.join(', ')}; not ${outside.join(', ')}.`,
        );
    }
  }

  private async resolve(tx: EntityManager, tenantId: string, refs: string[]): Promise<string[]> {
    const { ids, missing } = await this.repo.resolveDomains(tx, tenantId, refs);
    if (missing.length) throw new AccountError(AccountErrorCode.DomainNotFound, 'Not found', `No domain ${missing.join(', ')} in the account’s tenant.`);
    return ids;
  }

  private async notLastPlatformAdmin(tx: EntityManager, id: string): Promise<void> {
    const admins = await this.repo.activePlatformAdmins(tx);
    if (admins.filter((a) => a !== id).length === 0) {
      throw new AccountError(AccountErrorCode.LastPlatformAdmin, 'Conflict', 'This is the last active platform admin; create another one first.');
    }
  }

  private async uniqueEmail<T>(email: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) {
        throw new AccountError(AccountErrorCode.EmailTaken, 'Conflict', `An account with the email ${email.toLowerCase()} already exists.`);
      }
      throw err;
    }
  }
}

function toDto(r: AccountRow): AccountDto {
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    tenant_id: r.tenant_id,
    active: r.active,
    delegated_domains: r.delegated_domains,
    ip_allowlist: r.ip_allowlist,
    last_login_at: r.last_login_at ? iso(r.last_login_at) : null,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}
