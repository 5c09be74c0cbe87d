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
  /** Platform-only: how many domains each tenant owns, and removing all of a tenant's (tenant deletion). */
  TenantUsage: 'mailplane.domains.tenant-usage',
  TenantPurge: 'mailplane.domains.tenant-purge',
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
  /** Platform-only: each tenant's mailboxes, aliases and allotted storage, and removing all of a tenant's (tenant deletion). */
  TenantUsage: 'mailplane.mailboxes.tenant-usage',
  TenantPurge: 'mailplane.mailboxes.tenant-purge',
  /** Every mailbox and alias of one domain the caller may see (domain-service, deleting a domain with ?cascade=true). */
  DomainPurge: 'mailplane.mailboxes.domain-purge',
} as const;

export const AliasSubjects = {
  List: 'mailplane.aliases.list',
  Create: 'mailplane.aliases.create',
  Get: 'mailplane.aliases.get',
  Update: 'mailplane.aliases.update',
  Delete: 'mailplane.aliases.delete',
} as const;

export const DkimSubjects = {
  List: 'mailplane.dkim.list',
  Create: 'mailplane.dkim.create',
  Get: 'mailplane.dkim.get',
  Rotate: 'mailplane.dkim.rotate',
  Delete: 'mailplane.dkim.delete',
  Ping: 'mailplane.dkim.ping',
  /** Platform-only: removing all of a tenant's keys (tenant deletion). */
  TenantPurge: 'mailplane.dkim.tenant-purge',
} as const;

/** Jobs, served by the workers (the only writer of the jobs table): start, list, read, cancel. */
export const JobSubjects = {
  Enqueue: 'mailplane.jobs.enqueue',
  List: 'mailplane.jobs.list',
  Get: 'mailplane.jobs.get',
  Cancel: 'mailplane.jobs.cancel',
} as const;

/**
 * Subjects served by the services that run beside one mail node (queue-service, stats-service).
 * The node id is part of the subject (`mailplane.node.<node>.queue.summary`), so more nodes can be
 * added without a redesign: build the full subject with `nodeSubject()`.
 */
export const NodeSubjects = {
  QueueSummary: 'queue.summary',
  QueueList: 'queue.items.list',
  QueueGet: 'queue.items.get',
  QueueAction: 'queue.items.action',
  QueueDelete: 'queue.items.delete',
  QueueFlush: 'queue.flush',
  QueueClear: 'queue.clear',
  Stats: 'stats.host',
  MailStats: 'stats.mail',
  ServicesList: 'services.list',
  ServiceGet: 'services.get',
  ServiceAction: 'services.action',
  About: 'system.about',
  QueuePing: 'queue.ping',
  StatsPing: 'stats.ping',
} as const;
export type NodeSubject = (typeof NodeSubjects)[keyof typeof NodeSubjects];

export function nodeSubject(nodeId: string, subject: NodeSubject): string {
  return `mailplane.node.${nodeId}.${subject}`;
}

/**
 * Domain events, published after the database commit. Consumers: the reconcile trigger (worker),
 * later webhooks and SSE. `events.<resource>.<action>`.
 */
export const EventSubjects = {
  DomainCreated: 'events.domain.created',
  DomainUpdated: 'events.domain.updated',
  DomainDeleted: 'events.domain.deleted',
  ConfigChanged: 'events.config.changed',
  /** A mailbox's overrides changed a field Rspamd decides at SMTP time (spam_threshold, spam_action). */
  MailboxConfigChanged: 'events.mailbox.config_changed',
  DkimChanged: 'events.dkim.changed',
  /**
   * The tenant's active flag changed: all its domains left (suspended) or rejoined (resumed) the
   * mail stack. One event per tenant, not one per domain (the domain rows did not change). Renames
   * and limit changes publish nothing: they change nothing the mail stack serves.
   */
  TenantSuspended: 'events.tenant.suspended',
  TenantResumed: 'events.tenant.resumed',
  /** The tenant was deleted with everything it owned (DELETE ?cascade=true, or an empty tenant). */
  TenantDeleted: 'events.tenant.deleted',
  /** Every event: what the reconcile trigger listens to (it filters by the list below). */
  All: 'events.>',
} as const;

/** Events after which the rendered mail-stack files may be stale (routing itself comes from the views). */
export const RECONCILE_EVENTS: readonly string[] = [
  EventSubjects.DomainCreated,
  EventSubjects.DomainUpdated,
  EventSubjects.DomainDeleted,
  EventSubjects.ConfigChanged,
  EventSubjects.MailboxConfigChanged,
  EventSubjects.DkimChanged,
  // OpenDKIM's KeyTable/SigningTable list only active tenants' domains.
  EventSubjects.TenantSuspended,
  EventSubjects.TenantResumed,
  EventSubjects.TenantDeleted,
];

/** Every service subscribes in a queue group, so each request is handled by exactly one replica. */
export const QueueGroups = {
  DomainService: 'mailplane.domain-service',
  MailboxService: 'mailplane.mailbox-service',
  DkimTlsService: 'mailplane.dkim-tls-service',
  /** Per node: `${QueueGroups.QueueService}.<node>`. */
  QueueService: 'mailplane.queue-service',
  StatsService: 'mailplane.stats-service',
  /** The node workers' subscription to events, per node: `${QueueGroups.Worker}.<node>` (one replica of each node handles each event). */
  Worker: 'mailplane.worker',
} as const;
