import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { Allow, IsDefined, IsIn } from 'class-validator';
import { WithCaller } from '../caller-context.js';
import { DomainRefRpc } from '../domains/domain.dto.js';
import { MailboxRefRpc } from '../mailboxes/mailbox.dto.js';
import {
  ANTISPAM_FIELDS,
  CONFIG_TIERS,
  DOMAIN_FIELDS,
  GLOBAL_FIELDS,
  MAILBOX_FIELDS,
  type ConfigTier,
  type DomainSettings,
  type FieldCatalog,
  type FieldSpec,
  type MailboxSettings,
} from './config-fields.js';
import type { DomainSource, MailboxSource } from './config-resolver.js';

type Mode = 'response' | 'input' | 'override';

function schemaOf(f: FieldSpec, mode: Mode): ApiPropertyOptions {
  const common = {
    description: f.description,
    required: mode === 'response',
    nullable: mode === 'override' || f.kind === 'text' || f.kind === 'url' || f.kind === 'path',
  };
  const dflt = mode === 'override' ? {} : { default: f.default };
  switch (f.kind) {
    case 'int':
    case 'number':
      return { ...common, ...dflt, type: f.kind === 'int' ? 'integer' : 'number', minimum: f.min, maximum: f.max, example: f.example ?? f.default };
    case 'bool':
      return { ...common, ...dflt, type: 'boolean', example: !f.default };
    case 'enum':
      return { ...common, ...dflt, type: 'string', enum: [...f.values], example: f.values[f.values.length - 1] };
    case 'text':
      return { ...common, ...dflt, type: 'string', maxLength: f.maxLength, example: f.example };
    case 'url':
      return { ...common, ...dflt, type: 'string', format: 'uri', example: f.example };
    case 'path':
      return { ...common, ...dflt, type: 'string', pattern: '^/[A-Za-z0-9._/-]*$', maxLength: 1024, example: f.example };
    case 'list':
      return { ...common, ...dflt, type: 'string', isArray: true, maxItems: f.maxItems, example: f.example ?? f.default };
  }
}

/** An OpenAPI schema class generated from a catalog, so documentation never drifts from validation. */
function settingsDto(name: string, catalog: FieldCatalog, mode: Mode): new () => object {
  const cls = { [name]: class {} }[name];
  for (const [field, spec] of Object.entries(catalog)) ApiProperty(schemaOf(spec, mode))(cls.prototype, field);
  return cls;
}

function sourcesDto(name: string, catalog: FieldCatalog, sources: readonly string[]): new () => object {
  const cls = { [name]: class {} }[name];
  for (const field of Object.keys(catalog)) ApiProperty({ enum: [...sources], example: sources[sources.length - 1] })(cls.prototype, field);
  return cls;
}

/* Response bodies: every field with its effective value. Request bodies: any subset. */
export const GlobalSettingsDto = settingsDto('GlobalSettingsDto', GLOBAL_FIELDS, 'response');
export const GlobalSettingsInputDto = settingsDto('GlobalSettingsInputDto', GLOBAL_FIELDS, 'input');
export const DomainSettingsDto = settingsDto('DomainSettingsDto', DOMAIN_FIELDS, 'response');
export const DomainSettingsInputDto = settingsDto('DomainSettingsInputDto', DOMAIN_FIELDS, 'input');
export const MailboxSettingsDto = settingsDto('MailboxSettingsDto', MAILBOX_FIELDS, 'response');
export const MailboxSettingsInputDto = settingsDto('MailboxSettingsInputDto', MAILBOX_FIELDS, 'input');
export const AntispamSettingsDto = settingsDto('AntispamSettingsDto', ANTISPAM_FIELDS, 'response');
export const AntispamSettingsInputDto = settingsDto('AntispamSettingsInputDto', ANTISPAM_FIELDS, 'input');
/** Overrides: only the fields set on this domain; `null` in a PUT reverts a field to inheritance. */
export const DomainOverridesDto = settingsDto('DomainOverridesDto', DOMAIN_FIELDS, 'override');

export const DOMAIN_SOURCES: readonly DomainSource[] = ['default', 'global', 'domain_defaults', 'override'];
export const DomainSourcesDto = sourcesDto('DomainSourcesDto', DOMAIN_FIELDS, DOMAIN_SOURCES);

export class DomainEffectiveDto {
  @ApiProperty({ format: 'uuid', example: '3f1c2b9e-8d4a-4c55-9f0e-2a7b1c3d4e5f' }) domain_id: string;
  @ApiProperty({ example: 'example.com' }) domain: string;
  @ApiProperty({ type: DomainSettingsDto, description: 'Every domain field with its effective value' }) settings: DomainSettings;
  @ApiProperty({ type: DomainSourcesDto, description: 'Per field, the tier its value came from' }) sources: Record<keyof DomainSettings, DomainSource>;
}

/** A mailbox's overrides: only the fields set on this mailbox; `null` in a PUT reverts a field to inheritance. */
export const MailboxOverridesDto = settingsDto('MailboxOverridesDto', MAILBOX_FIELDS, 'override');

export const MAILBOX_SOURCES: readonly MailboxSource[] = ['default', 'global', 'mailbox_defaults', 'domain', 'mailbox', 'override'];
export const MailboxSourcesDto = sourcesDto('MailboxSourcesDto', MAILBOX_FIELDS, MAILBOX_SOURCES);

export class MailboxEffectiveDto {
  @ApiProperty({ format: 'uuid', example: '6a1e2f3d-4c5b-4a69-8e7f-901a2b3c4d5e' }) mailbox_id: string;
  @ApiProperty({ example: 'alice@example.com' }) address: string;
  @ApiProperty({ format: 'uuid', example: '3f1c2b9e-8d4a-4c55-9f0e-2a7b1c3d4e5f' }) domain_id: string;
  @ApiProperty({ example: 'example.com' }) domain: string;
  @ApiProperty({ type: MailboxSettingsDto, description: 'Every mailbox field with its effective value' }) settings: MailboxSettings;
  @ApiProperty({
    type: MailboxSourcesDto,
    description:
      'Per field, where its value came from: `default`, `global`, `mailbox_defaults`, `domain` (the domain’s overrides), `mailbox` (the mailbox’s quota_bytes) or `override`',
  })
  sources: Record<keyof MailboxSettings, MailboxSource>;
  @ApiProperty({ example: true, description: 'Whether the mailbox’s domain is active (an inactive domain neither receives nor logs in)' })
  domain_active: boolean;
  @ApiProperty({
    type: DomainSettingsDto,
    description:
      'The domain’s effective settings that also govern this mailbox’s mail (clamav_action, greylisting_enabled, require_tls_inbound, dkim_enabled, …). spf_policy and dmarc_policy describe what the domain should publish in DNS: the DNS check compares them with what is published',
  })
  domain_settings: DomainSettings;
  @ApiProperty({ type: DomainSourcesDto, description: 'Per domain field, the tier its value came from' })
  domain_sources: Record<keyof DomainSettings, DomainSource>;
}

export class PutMailboxOverridesRpc extends MailboxRefRpc {
  @Allow()
  settings: unknown;
}

/* RPC envelopes: what the gateway sends domain-service. Settings objects are checked by the service against the catalog. */

export class GetTierRpc extends WithCaller {
  @IsDefined()
  @IsIn(CONFIG_TIERS)
  tier: ConfigTier;
}

export class PutTierRpc extends GetTierRpc {
  @Allow()
  settings: unknown;
}

export class PutDomainOverridesRpc extends DomainRefRpc {
  @Allow()
  settings: unknown;
}

export class GetAntispamConfigRpc extends WithCaller {}

export class PutAntispamConfigRpc extends WithCaller {
  @Allow()
  settings: unknown;
}
