import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainLookup, PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, pgErrorCode } from '#database';
import {
  AliasError,
  AliasErrorCode,
  localPartProblem,
  normalizeDestination,
  normalizeDomainName,
  splitAddress,
  type AliasDto,
  type CallerContext,
  type CreateAliasDto,
  type FieldError,
  type ListAliasesQueryDto,
  type Paginated,
  type UpdateAliasDto,
} from '#contracts';
import { TenantLimits } from '../limits/tenant-limits.js';
import { dbAliasGraph, findAliasLoop, MAX_ALIAS_DEPTH } from './alias-graph.js';
import { AliasesRepository } from './aliases.repository.js';

@Injectable()
export class AliasesService {
  constructor(
    private readonly repo: AliasesRepository,
    private readonly domains: DomainLookup,
    private readonly limits: TenantLimits,
  ) {}

  list(ctx: CallerContext, q: ListAliasesQueryDto): Promise<Paginated<AliasDto>> {
    return this.repo.list(ctx, q);
  }

  async create(ctx: CallerContext, dto: CreateAliasDto): Promise<AliasDto> {
    const { local, domainName } = this.parseSource(dto.source);
    const domain = await this.domains.find(ctx, domainName);
    if (!domain) throw new AliasError(AliasErrorCode.DomainNotFound, 'Domain not found', `No domain ${domainName} is visible to you.`);
    const source = `${local}@${domain.name}`;
    const destinations = this.parseDestinations(dto.destinations);
    try {
      return await this.repo.withWriteLock(async (tx) => {
        await this.assertNoLoop(tx, source, destinations);
        // Tenant and domain rows locked: the count cannot change before the insert commits.
        const limits = await this.limits.lock(tx, domain.tenant_id, domain.id);
        if (!limits) throw new AliasError(AliasErrorCode.DomainNotFound, 'Domain not found', `No domain ${domain.name} is visible to you.`);
        const breach = await this.limits.aliasBreach(tx, domain.tenant_id, domain.id, limits);
        if (breach) throw new AliasError(AliasErrorCode.QuotaExceeded, 'Quota exceeded', `${breach.detail}; nothing was changed.`);
        return this.repo.insert(tx, domain, source, destinations, dto.active ?? true);
      });
    } catch (err) {
      if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) {
        const owner = (await this.repo.addressOwner(source)) ?? 'mailbox or alias';
        throw new AliasError(AliasErrorCode.SourceTaken, 'Address in use', `The address ${source} is already used by a ${owner}.`);
      }
      // The domain was deleted between the lookup and the insert.
      if (pgErrorCode(err) === PG_FOREIGN_KEY_VIOLATION) {
        throw new AliasError(AliasErrorCode.DomainNotFound, 'Domain not found', `No domain ${domain.name} is visible to you.`);
      }
      throw err;
    }
  }

  async get(ctx: CallerContext, ref: string): Promise<AliasDto> {
    const a = await this.repo.findOne(ctx, ref);
    if (!a) throw this.notFound(ref);
    return a;
  }

  async update(ctx: CallerContext, ref: string, dto: UpdateAliasDto): Promise<AliasDto> {
    if (dto.destinations === undefined && dto.active === undefined) {
      throw new AliasError(AliasErrorCode.EmptyUpdate, 'Validation failed', 'Send at least one of: destinations, active.', [
        { field: '(body)', message: 'at least one of destinations, active is required' },
      ]);
    }
    const destinations = dto.destinations === undefined ? undefined : this.parseDestinations(dto.destinations);
    const updated = await this.repo.withWriteLock(async (tx) => {
      const current = await this.repo.findOne(ctx, ref, tx);
      if (!current) return undefined;
      if (destinations) await this.assertNoLoop(tx, current.source, destinations);
      return this.repo.update(tx, current.id, { destinations, active: dto.active });
    });
    if (!updated) throw this.notFound(ref);
    return updated;
  }

  async delete(ctx: CallerContext, ref: string): Promise<{ message: string }> {
    if (!(await this.repo.delete(ctx, ref))) throw this.notFound(ref);
    return { message: 'alias deleted' };
  }

  /** `user@domain` or `@domain` (catch-all); the local part is lower-cased and must be valid. */
  private parseSource(input: string): { local: string; domainName: string } {
    const parts = splitAddress(input.trim());
    const domainName = parts && normalizeDomainName(parts.domain);
    if (!parts || !domainName) {
      throw this.invalid(AliasErrorCode.InvalidSource, [{ field: 'source', message: 'source must be user@domain or @domain (catch-all)' }]);
    }
    const local = parts.local.toLowerCase();
    const problem = local === '' ? null : localPartProblem(local);
    if (problem) throw this.invalid(AliasErrorCode.InvalidSource, [{ field: 'source', message: problem }]);
    if (Buffer.byteLength(`${local}@${domainName}`) > 254) {
      throw this.invalid(AliasErrorCode.InvalidSource, [{ field: 'source', message: 'source must be at most 254 octets' }]);
    }
    return { local, domainName };
  }

  private parseDestinations(input: string[]): string[] {
    const fields: FieldError[] = [];
    const out: string[] = [];
    input.forEach((d, i) => {
      const r = normalizeDestination(d);
      if (!r.ok) fields.push({ field: `destinations[${i}]`, message: `destination ${r.problem}` });
      else if (!out.includes(r.address)) out.push(r.address);
    });
    if (fields.length) throw this.invalid(AliasErrorCode.InvalidDestination, fields);
    return out;
  }

  private async assertNoLoop(tx: EntityManager, source: string, destinations: string[]): Promise<void> {
    const verdict = await findAliasLoop(source, destinations, dbAliasGraph(tx));
    if (verdict.kind === 'ok') return;
    const message =
      verdict.kind === 'self'
        ? `destination ${verdict.destination} is the alias’s own source`
        : verdict.kind === 'cycle'
          ? // Only the hops this request names: the rest of the path may run through other tenants' aliases.
            `mail would loop: ${source} → ${verdict.path[1]} → … → ${source}`
          : `alias chain is deeper than ${MAX_ALIAS_DEPTH} hops`;
    throw this.invalid(AliasErrorCode.Loop, [{ field: 'destinations', message }], 'The alias would make mail loop.');
  }

  private invalid(code: AliasErrorCode, fields: FieldError[], detail = 'One or more fields are invalid.'): AliasError {
    return new AliasError(code, 'Validation failed', detail, fields);
  }

  private notFound(ref: string): AliasError {
    return new AliasError(AliasErrorCode.NotFound, 'Alias not found', `No alias ${ref} is visible to you.`);
  }
}
