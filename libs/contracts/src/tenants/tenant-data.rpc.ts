import 'reflect-metadata';
import { ArrayMaxSize, IsArray, IsString, IsUUID, MaxLength } from 'class-validator';
import { WithCaller } from '../caller-context.js';

/**
 * Tenant-wide questions the gateway (which owns tenants) asks the services that own a tenant's
 * rows: usage counts and, on tenant deletion, removing every row of the tenant. Platform callers only.
 */
export class TenantUsageRpc extends WithCaller {
  /** A page of tenants at most. */
  @IsArray() @ArrayMaxSize(1000) @IsUUID('all', { each: true }) tenant_ids: string[];
}

export class TenantPurgeRpc extends WithCaller {
  @IsUUID() tenant_id: string;
}

/** A domain's mailboxes and aliases, removed by their owner before the domain goes (cascade delete). */
export class DomainPurgeRpc extends WithCaller {
  /** UUID or name, as the caller named the domain. */
  @IsString() @MaxLength(1024) ref: string;
}

/** domain-service's answer, by tenant id (tenants without domains are absent). */
export type DomainTenantUsage = Record<string, { domains: number }>;

/** mailbox-service's answer, by tenant id (tenants without mailboxes or aliases are absent). */
export type MailboxTenantUsage = Record<string, { mailboxes: number; aliases: number; storage_bytes: number; unlimited_mailboxes: number }>;

/** What a purge removed. */
export interface TenantPurgeResult {
  deleted: Record<string, number>;
}
