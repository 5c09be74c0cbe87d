import { Injectable } from '@nestjs/common';
import { NatsRpcClient } from '#common';
import {
  DkimSubjects,
  DomainSubjects,
  MailboxSubjects,
  type CallerContext,
  type DomainTenantUsage,
  type MailboxTenantUsage,
  type TenantPurgeResult,
  type TenantPurgeRpc,
  type TenantUsageDto,
  type TenantUsageRpc,
} from '#contracts';

/**
 * The gateway owns tenants, not what they own: domains (domain-service), mailboxes and aliases
 * (mailbox-service) and DKIM keys (dkim-tls-service) are counted and removed by their owners over
 * NATS (docs/architecture.md, one writer per table). Asked as the platform, since tenants are
 * platform-only.
 */
@Injectable()
export class TenantDataClient {
  constructor(private readonly rpc: NatsRpcClient) {}

  async usage(tenantIds: string[], requestId?: string): Promise<Map<string, TenantUsageDto>> {
    const out = new Map<string, TenantUsageDto>();
    if (!tenantIds.length) return out;
    const msg: TenantUsageRpc = { ctx: platformCtx(requestId), tenant_ids: tenantIds };
    const [domains, mailboxes] = await Promise.all([
      this.rpc.send<DomainTenantUsage>(DomainSubjects.TenantUsage, msg, requestId),
      this.rpc.send<MailboxTenantUsage>(MailboxSubjects.TenantUsage, msg, requestId),
    ]);
    for (const id of tenantIds) {
      const m = mailboxes[id];
      out.set(id, {
        domains: domains[id]?.domains ?? 0,
        mailboxes: m?.mailboxes ?? 0,
        aliases: m?.aliases ?? 0,
        storage_bytes: m?.storage_bytes ?? 0,
        unlimited_mailboxes: m?.unlimited_mailboxes ?? 0,
      });
    }
    return out;
  }

  /**
   * Removes everything the tenant owns outside identity, children first (mailboxes and aliases
   * reference domains with RESTRICT; DKIM keys go before their domains). Each step is idempotent,
   * so a deletion interrupted half-way is finished by repeating it.
   */
  async purge(tenantId: string, requestId?: string): Promise<Record<string, number>> {
    const msg: TenantPurgeRpc = { ctx: platformCtx(requestId), tenant_id: tenantId };
    const deleted: Record<string, number> = {};
    for (const subject of [MailboxSubjects.TenantPurge, DkimSubjects.TenantPurge, DomainSubjects.TenantPurge]) {
      Object.assign(deleted, (await this.rpc.send<TenantPurgeResult>(subject, msg, requestId)).deleted);
    }
    return deleted;
  }
}

function platformCtx(requestId?: string): CallerContext {
  return { tenant_id: null, domain_allowlist: null, home_tenant_id: null, request_id: requestId };
}
