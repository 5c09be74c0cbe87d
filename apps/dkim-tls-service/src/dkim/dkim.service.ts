import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EventPublisher, SecretBox } from '#common';
import { DomainLookup, type DomainRef, PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, pgErrorCode } from '#database';
import {
  DEFAULT_DKIM_ALGORITHM,
  DEFAULT_DKIM_SELECTOR,
  DkimError,
  DkimErrorCode,
  EventSubjects,
  dateSelector,
  firstFreeSelector,
  normalizeSelector,
  type CallerContext,
  type CreateDkimKeyDto,
  type DkimAlgorithm,
  type DkimKeyDto,
  type ListDkimKeysQueryDto,
  type Paginated,
  type RotateDkimKeyDto,
} from '#contracts';
import { generateDkimKey } from './dkim-keygen.js';
import { DkimKeysRepository } from './dkim-keys.repository.js';

/** Seals private keys at rest (MAILPLANE_SECRET_KEY). */
export const DKIM_SECRET_BOX = Symbol('DKIM_SECRET_BOX');
/** A DNS name is at most 253 characters; `<selector>._domainkey.<domain>` must fit. */
const MAX_DNS_NAME = 253;
/** Auto-chosen rotation selectors retry this often when a concurrent rotation takes the same one. */
const ROTATE_ATTEMPTS = 5;

type KeyAction = 'created' | 'rotated' | 'deleted';

/** DKIM keys per domain: generation, sealing, selection of the signing key, and the change events. */
@Injectable()
export class DkimService {
  private readonly logger = new Logger('DkimService');

  constructor(
    private readonly repo: DkimKeysRepository,
    private readonly domains: DomainLookup,
    private readonly events: EventPublisher,
    @Inject(DKIM_SECRET_BOX) private readonly box: SecretBox,
  ) {}

  list(ctx: CallerContext, q: ListDkimKeysQueryDto): Promise<Paginated<DkimKeyDto>> {
    return this.repo.list(ctx, q);
  }

  async create(ctx: CallerContext, dto: CreateDkimKeyDto): Promise<DkimKeyDto> {
    const selector = this.parseSelector(dto.selector ?? DEFAULT_DKIM_SELECTOR);
    const domain = await this.domain(ctx, dto.domain);
    this.assertNameFits(selector, domain);
    // Cheap check before the expensive key generation; the unique constraint still decides races.
    if (await this.repo.findOne(domain.id, selector)) throw this.taken(selector, domain);
    return this.insertKey(domain, selector, dto.algorithm ?? DEFAULT_DKIM_ALGORITHM, 'created');
  }

  /** With a selector: that key. Without: the signing key, else (nothing signs) the newest. */
  async get(ctx: CallerContext, ref: string, selectorInput?: string): Promise<DkimKeyDto> {
    const domain = await this.domain(ctx, ref);
    if (selectorInput !== undefined) return this.keyOf(domain, this.parseSelector(selectorInput));
    const keys = await this.repo.ofDomain(domain.id);
    if (!keys.length) throw this.noKeys(domain);
    return keys.find((k) => k.signing) ?? keys[0];
  }

  /** Without a selector only when the domain has exactly one key: deleting a guess would be worse than asking. */
  async delete(ctx: CallerContext, ref: string, selectorInput?: string): Promise<{ message: string }> {
    const domain = await this.domain(ctx, ref);
    let key: DkimKeyDto;
    if (selectorInput !== undefined) {
      key = await this.keyOf(domain, this.parseSelector(selectorInput));
    } else {
      const keys = await this.repo.ofDomain(domain.id);
      if (!keys.length) throw this.noKeys(domain);
      if (keys.length > 1) {
        const list = keys.map((k) => k.selector).join(', ');
        throw new DkimError(
          DkimErrorCode.SelectorRequired,
          'Validation failed',
          `The domain ${domain.name} has ${keys.length} DKIM keys; say which one to delete.`,
          [{ field: 'selector', message: `selector is required when the domain has several keys (${list})` }],
        );
      }
      key = keys[0];
    }
    if (!(await this.repo.delete(key.id))) throw this.keyNotFound(domain, key.selector);
    this.publish('deleted', domain, key.id, key.selector);
    return { message: 'dkim key deleted' };
  }

  /** A new key that signs from now on; the previous keys stay (and stay published) until deleted. */
  async rotate(ctx: CallerContext, ref: string, dto: RotateDkimKeyDto): Promise<DkimKeyDto> {
    const explicit = dto.selector === undefined ? undefined : this.parseSelector(dto.selector);
    const domain = await this.domain(ctx, ref);
    const keys = await this.repo.ofDomain(domain.id);
    const current = keys.find((k) => k.signing) ?? keys[0];
    const algorithm = dto.algorithm ?? current?.algorithm ?? DEFAULT_DKIM_ALGORITHM;
    if (explicit !== undefined) {
      this.assertNameFits(explicit, domain);
      if (keys.some((k) => k.selector === explicit)) throw this.taken(explicit, domain);
      return this.insertKey(domain, explicit, algorithm, 'rotated');
    }
    const base = dateSelector(new Date());
    let taken = new Set(keys.map((k) => k.selector));
    for (let attempt = 1; ; attempt++) {
      const selector = firstFreeSelector(base, taken);
      try {
        return await this.insertKey(domain, selector, algorithm, 'rotated');
      } catch (err) {
        if (!(err instanceof DkimError && err.moduleCode === DkimErrorCode.SelectorTaken) || attempt >= ROTATE_ATTEMPTS) throw err;
        taken = new Set((await this.repo.ofDomain(domain.id)).map((k) => k.selector));
      }
    }
  }

  private async insertKey(domain: DomainRef, selector: string, algorithm: DkimAlgorithm, action: KeyAction): Promise<DkimKeyDto> {
    const generated = await generateDkimKey(algorithm);
    const id = randomUUID();
    try {
      await this.repo.insert({
        id,
        tenant_id: domain.tenant_id,
        domain_id: domain.id,
        selector,
        algorithm,
        public_key: generated.publicKey,
        // The row id as associated data: a sealed key copied onto another row does not open.
        private_key_enc: this.box.seal(generated.privateKeyPem, id),
      });
    } catch (err) {
      if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) throw this.taken(selector, domain);
      // The domain was deleted between the lookup and the insert.
      if (pgErrorCode(err) === PG_FOREIGN_KEY_VIOLATION) throw this.domainNotFound(domain.name);
      throw err;
    }
    this.publish(action, domain, id, selector);
    const key = await this.repo.findById(id);
    if (!key) throw this.keyNotFound(domain, selector);
    return key;
  }

  private publish(action: KeyAction, domain: DomainRef, keyId: string, selector: string): void {
    this.events.publish(EventSubjects.DkimChanged, { action, key_id: keyId, domain_id: domain.id, domain: domain.name, tenant_id: domain.tenant_id, selector });
    this.logger.log(`dkim key ${action}: ${selector}._domainkey.${domain.name} (${keyId})`);
  }

  private async domain(ctx: CallerContext, ref: string): Promise<DomainRef> {
    const domain = await this.domains.find(ctx, ref);
    if (!domain) throw this.domainNotFound(ref);
    return domain;
  }

  private async keyOf(domain: DomainRef, selector: string): Promise<DkimKeyDto> {
    const key = await this.repo.findOne(domain.id, selector);
    if (!key) throw this.keyNotFound(domain, selector);
    return key;
  }

  private parseSelector(input: string): string {
    const r = normalizeSelector(input);
    if (!r.ok)
      throw new DkimError(DkimErrorCode.InvalidSelector, 'Validation failed', 'The selector is not valid.', [{ field: 'selector', message: r.reason }]);
    return r.value;
  }

  private assertNameFits(selector: string, domain: DomainRef): void {
    const name = `${selector}._domainkey.${domain.name}`;
    if (name.length > MAX_DNS_NAME) {
      throw new DkimError(DkimErrorCode.InvalidSelector, 'Validation failed', `The record name ${name} is longer than ${MAX_DNS_NAME} characters.`, [
        { field: 'selector', message: `selector is too long for ${domain.name}: the record name may have at most ${MAX_DNS_NAME} characters` },
      ]);
    }
  }

  private taken(selector: string, domain: DomainRef): DkimError {
    return new DkimError(DkimErrorCode.SelectorTaken, 'Selector in use', `The domain ${domain.name} already has a DKIM key with selector ${selector}.`);
  }

  private domainNotFound(ref: string): DkimError {
    return new DkimError(DkimErrorCode.DomainNotFound, 'Domain not found', `No domain ${ref} is visible to you.`);
  }

  private keyNotFound(domain: DomainRef, selector: string): DkimError {
    return new DkimError(DkimErrorCode.KeyNotFound, 'DKIM key not found', `The domain ${domain.name} has no DKIM key with selector ${selector}.`);
  }

  private noKeys(domain: DomainRef): DkimError {
    return new DkimError(DkimErrorCode.KeyNotFound, 'DKIM key not found', `The domain ${domain.name} has no DKIM key; create one with POST /api/v1/dkim.`);
  }
}
