/**
 * NATS subjects and queue groups.
 *
 * WARNING: these strings are a wire contract between independently deployed replicas. Renaming one
 * needs a migration plan: ship services that listen on both names first, then switch callers,
 * then drop the old name. Never use a subject literal outside this file.
 */
export const DomainSubjects = {
  List: 'mailplane.domains.list',
  Create: 'mailplane.domains.create',
  Get: 'mailplane.domains.get',
  Update: 'mailplane.domains.update',
  Delete: 'mailplane.domains.delete',
  Ping: 'mailplane.domains.ping',
} as const;

export const ConfigSubjects = {
  GetTier: 'mailplane.config.tier.get',
  PutTier: 'mailplane.config.tier.put',
  GetDomainOverrides: 'mailplane.config.domain-overrides.get',
  PutDomainOverrides: 'mailplane.config.domain-overrides.put',
  GetDomainEffective: 'mailplane.config.domain-effective.get',
} as const;

export const AntispamSubjects = {
  GetConfig: 'mailplane.antispam.config.get',
  PutConfig: 'mailplane.antispam.config.put',
  ListEntries: 'mailplane.antispam.entries.list',
  CreateEntry: 'mailplane.antispam.entries.create',
  DeleteEntry: 'mailplane.antispam.entries.delete',
} as const;

export const MailboxSubjects = {
  List: 'mailplane.mailboxes.list',
  Create: 'mailplane.mailboxes.create',
  Get: 'mailplane.mailboxes.get',
  Update: 'mailplane.mailboxes.update',
  SetPassword: 'mailplane.mailboxes.password',
  GetOverrides: 'mailplane.mailboxes.overrides.get',
  PutOverrides: 'mailplane.mailboxes.overrides.put',
  GetEffective: 'mailplane.mailboxes.effective.get',
  Delete: 'mailplane.mailboxes.delete',
  Ping: 'mailplane.mailboxes.ping',
  ImportPreview: 'mailplane.mailboxes.import.preview',
  ExportPage: 'mailplane.mailboxes.export.page',
} as const;

export const AliasSubjects = {
  List: 'mailplane.aliases.list',
  Create: 'mailplane.aliases.create',
  Get: 'mailplane.aliases.get',
  Update: 'mailplane.aliases.update',
  Delete: 'mailplane.aliases.delete',
} as const;

/** Every service subscribes in a queue group, so each request is handled by exactly one replica. */
export const QueueGroups = {
  DomainService: 'mailplane.domain-service',
  MailboxService: 'mailplane.mailbox-service',
} as const;
