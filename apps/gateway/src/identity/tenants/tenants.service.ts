import { Injectable } from '@nestjs/common';
import { EventPublisher, type AppConfig } from '#common';
import {
  EventSubjects,
  isUuid,
  TenantError,
  TenantErrorCode,
  type CreateTenantDto,
  type ListTenantsQueryDto,
  type Paginated,
  type TenantDetailDto,
  type TenantDto,
  type TenantUsageDto,
  type UpdateTenantDto,
} from '#contracts';
import { CredentialsService } from '../auth/credentials.service.js';
import type { Principal } from '../../shared/principal.js';
import { InjectConfig } from '../../shared/app-config.js';
import { TenantDataClient } from './tenant-data.client.js';
import { ForeignKeyViolation, TenantsRepository, UniqueNameViolation, type TenantRow, type TenantWrite } from './tenants.repository.js';

const iso = (d: Date) => new Date(d).toISOString();

/**
 * Tenants and their limits (platform admins only: the route scope tenants:* is platform-only).
 * Limits: null = unlimited, 0 = none allowed, as TenantLimits (mailbox-service) and domain-service
 * read them. Lowering one below current usage is allowed: nothing is removed, new items are refused,
 * and GET shows it in `over_limits`.
 *
 * Suspending, resuming and deleting a tenant change what the mail stack serves (the mailstack views
 * and OpenDKIM's tables list only active tenants' domains), so each publishes one tenant event after
 * the commit and the node workers reconcile (RECONCILE_EVENTS).
 */
@Injectable()
export class TenantsService {
  constructor(
    private readonly repo: TenantsRepository,
    private readonly data: TenantDataClient,
    private readonly credentials: CredentialsService,
    private readonly events: EventPublisher,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async list(q: ListTenantsQueryDto): Promise<Paginated<TenantDetailDto>> {
    const { rows, meta } = await this.repo.list(q);
    const usage = await this.data.usage(rows.map((r) => r.id));
    return { data: rows.map((r) => this.withUsage(r, usage.get(r.id)!)), meta };
  }

  async get(ref: string): Promise<TenantDetailDto> {
    return this.detail(await this.find(ref));
  }

  async create(dto: CreateTenantDto): Promise<TenantDetailDto> {
    this.checkName(dto.name);
    try {
      return this.detail(await this.repo.insert(writeOf(dto) as TenantWrite & { name: string }));
    } catch (err) {
      throw err instanceof UniqueNameViolation ? this.nameTaken(dto.name) : err;
    }
  }

  async update(p: Principal, ref: string, dto: UpdateTenantDto): Promise<TenantDetailDto> {
    if (dto.name !== undefined) this.checkName(dto.name);
    const { before, row } = await this.repo.transaction(async (tx) => {
      const t = await this.repo.find(ref, tx, true);
      if (!t) throw this.notFound(ref);
      if (this.isProtected(p, t)) {
        if (dto.active === false) throw this.protectedError(t, 'suspended');
        if (dto.name !== undefined && dto.name !== t.name) throw this.protectedError(t, 'renamed');
      }
      try {
        return { before: t, row: await this.repo.update(tx, t.id, writeOf(dto)) };
      } catch (err) {
        throw err instanceof UniqueNameViolation ? this.nameTaken(dto.name!) : err;
      }
    });
    // This replica stops serving the tenant's cached credentials now; others within AUTH_CACHE_TTL_MS.
    if (dto.active !== undefined) this.credentials.forgetTenant(row.id);
    // Only a change of the flag: repeating active=false changes nothing the mail stack serves.
    if (row.active !== before.active) this.publish(row.active ? EventSubjects.TenantResumed : EventSubjects.TenantSuspended, row);
    return this.detail(row);
  }

  /**
   * Without cascade only an empty tenant goes. With cascade the tenant is suspended first (nothing
   * new lands, the mail stack stops serving it), then the owning services remove its rows, then its
   * accounts, keys and the tenant go in one transaction. A failure half-way leaves a suspended
   * tenant with less data; repeating the delete finishes it.
   */
  async remove(p: Principal, ref: string, cascade: boolean): Promise<void> {
    const t = await this.find(ref);
    if (this.isProtected(p, t)) throw this.protectedError(t, 'deleted');
    if (!cascade) {
      const u = (await this.data.usage([t.id])).get(t.id)!;
      if (u.domains > 0) throw this.hasDomains(t, u);
    } else {
      await this.repo.deactivate(t.id);
      if (t.active) this.credentials.forgetTenant(t.id);
      await this.data.purge(t.id);
    }
    try {
      await this.repo.transaction((tx) => this.repo.deleteWithIdentities(tx, t.id));
    } catch (err) {
      if (!(err instanceof ForeignKeyViolation)) throw err;
      throw this.hasDomains(t, (await this.data.usage([t.id])).get(t.id)!);
    }
    this.credentials.forgetTenant(t.id);
    this.publish(EventSubjects.TenantDeleted, t);
  }

  private hasDomains(t: TenantRow, u: TenantUsageDto): TenantError {
    return new TenantError(
      TenantErrorCode.HasDomains,
      'Tenant still owns domains',
      `Tenant ${t.name} owns ${u.domains} domain(s), ${u.mailboxes} mailbox(es) and ${u.aliases} alias(es); delete them first or use ?cascade=true.`,
    );
  }

  private async find(ref: string): Promise<TenantRow> {
    const t = await this.repo.find(ref);
    if (!t) throw this.notFound(ref);
    return t;
  }

  private async detail(t: TenantRow): Promise<TenantDetailDto> {
    return this.withUsage(t, (await this.data.usage([t.id])).get(t.id)!);
  }

  /** What list and detail both answer. */
  private withUsage(t: TenantRow, usage: TenantUsageDto): TenantDetailDto {
    return { ...this.toDto(t), usage, over_limits: TenantsRepository.overLimits(t, usage) };
  }

  /** After the commit; ids and the name only. EventPublisher logs a failure (the periodic reconcile catches up). */
  private publish(subject: string, t: TenantRow): void {
    this.events.publish(subject, { tenant_id: t.id, tenant: t.name });
  }

  /** The platform tenant, and the caller's own tenant (suspending it would lock the caller out). */
  private isProtected(p: Principal, t: TenantRow): boolean {
    return t.name === this.config.BOOTSTRAP_TENANT_NAME || t.id === p.tenant_id;
  }

  private toDto(r: TenantRow): TenantDto {
    return {
      id: r.id,
      name: r.name,
      active: r.active,
      platform: r.name === this.config.BOOTSTRAP_TENANT_NAME,
      max_domains: r.max_domains,
      max_mailboxes: r.max_mailboxes,
      max_aliases: r.max_aliases,
      storage_bytes: r.storage_bytes === null ? null : Number(r.storage_bytes),
      created_at: iso(r.created_at),
      updated_at: iso(r.updated_at),
    };
  }

  private protectedError(t: TenantRow, what: string): TenantError {
    const why = t.name === this.config.BOOTSTRAP_TENANT_NAME ? 'it is the platform tenant' : 'it is your own tenant';
    return new TenantError(TenantErrorCode.PlatformTenant, 'Tenant is protected', `Tenant ${t.name} cannot be ${what}: ${why}.`);
  }

  /** Routes take a UUID or a name: a name shaped like a UUID could never be looked up by name. */
  private checkName(name: string): void {
    if (isUuid(name)) {
      throw new TenantError(TenantErrorCode.NameIsUuid, 'Validation failed', 'name must not be a UUID.', [
        { field: 'name', message: 'name must not be a UUID' },
      ]);
    }
  }

  private nameTaken(name: string): TenantError {
    return new TenantError(TenantErrorCode.NameTaken, 'Tenant name taken', `A tenant named ${name} already exists.`);
  }

  private notFound(ref: string): TenantError {
    return new TenantError(TenantErrorCode.NotFound, 'Tenant not found', `No tenant ${ref}.`);
  }
}

/** Only the fields the request carried (undefined = unchanged; null = unlimited). */
function writeOf(dto: UpdateTenantDto | CreateTenantDto): TenantWrite {
  const out: Record<string, unknown> = {};
  for (const k of ['name', 'active', 'max_domains', 'max_mailboxes', 'max_aliases', 'storage_bytes'] as const) {
    if (dto[k] !== undefined) out[k] = dto[k];
  }
  return out as TenantWrite;
}
