import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditEntryListDto, ListAuditQueryDto } from '#contracts';
import { Authenticated, CurrentPrincipal } from '../../shared/authenticated.decorator.js';
import { isPlatformAdmin, type Principal } from '../../shared/principal.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { AuditRepository } from './audit.repository.js';

const DESCRIPTION = [
  'Every POST/PUT/PATCH/DELETE under /api/v1 — successful or failed, including `auth.login` and `auth.refresh` — newest first.',
  '',
  '**Visibility:** your tenant’s entries (platform admins: all; they may filter `tenant_id`). A key with a domain allow-list sees only the entries it made itself. Failed logins for an unknown e-mail have no tenant and are visible to platform admins only.',
  '',
  '**Actions:** `resource` is the first path segment (`api-keys` → `api_keys`); `action` is the route’s literal segments joined by `.` plus a verb — POST `create`, PUT/PATCH `update`, DELETE `delete` (`domains.create`, `domains.overrides.update`, `api_keys.delete` = revoke). A POST to a literal after a parameter, or to a verb-like segment, uses that segment as the verb (`dkim.rotate`, `queue.items.hold`, `auth.login`, `auth.refresh`, `system.reconcile`).',
  '',
  '**Before/after:** `changes` is the request body. `before` is the object as the caller could read it just before the change (its own GET route: same tenant, allow-list and delegation filtering, so nothing the caller could not see), `after` the object after a successful change (the response when it is the object, else read back the same way), and `diff` the changed fields `{before, after}` by dotted path. Every value has secrets replaced by `"[REDACTED]"` (passwords, keys, tokens, private keys, TOTP/MFA and recovery codes, hashes, and any value shaped like an API key, JWT or PEM private key). Routes without a readable object (creates, logins, imports) have no `before`; failures have neither. `resource_id` is the object’s id (from the response or the before-state), else the id or name in the URL.',
  '',
  'Entries older than `AUDIT_RETENTION_DAYS` (default 365) are deleted hourly.',
].join('\n');

@ApiTags('audit')
@Controller('audit-log')
export class AuditController {
  constructor(private readonly repo: AuditRepository) {}

  @Get()
  @Authenticated({ scope: 'audit:read' })
  @ApiOperation({ summary: 'The audit log', description: DESCRIPTION })
  @ApiOkResponse({
    type: AuditEntryListDto,
    example: {
      data: [
        {
          id: '0b8f6f0e-4c1d-4f53-9a43-2f6d1c9b7a10',
          occurred_at: '2027-01-01T12:00:00.000Z',
          tenant_id: '6a3c1f2e-8b6d-4b39-9f57-1e2d3c4b5a69',
          actor: { type: 'api_key', account_id: '1e4b…', email: 'admin@example.com', api_key_id: '7f2a…', api_key_name: 'ci deploy' },
          ip: '203.0.113.7',
          user_agent: 'curl/8.5.0',
          method: 'PATCH',
          path: '/api/v1/mailboxes/bob@example.com',
          action: 'mailboxes.update',
          resource: 'mailboxes',
          resource_id: '9c1d…',
          outcome: { status: 200, error_code: null },
          request_id: 'b5b1f2d0-…',
          changes: { quota_bytes: 2147483648 },
          before: { id: '9c1d…', address: 'bob@example.com', quota_bytes: 1073741824, active: true },
          after: { id: '9c1d…', address: 'bob@example.com', quota_bytes: 2147483648, active: true },
          diff: { quota_bytes: { before: 1073741824, after: 2147483648 } },
        },
      ],
      meta: { page: 1, limit: 50, total: 1 },
    },
  })
  @ApiErrors(400)
  list(@CurrentPrincipal() p: Principal, @Query() q: ListAuditQueryDto): Promise<AuditEntryListDto> {
    return this.repo.list(
      {
        tenant_id: isPlatformAdmin(p) ? null : p.tenant_id,
        // Entries of a tenant name domains a domain-restricted caller may not see: only its own.
        only_key_id: p.kind === 'api_key' && p.domain_allowlist !== null ? p.api_key_id : null,
        only_account_id: p.kind === 'account' && p.domain_allowlist !== null ? p.account_id : null,
      },
      q,
    );
  }
}
