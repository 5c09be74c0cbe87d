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

/** Every service subscribes in a queue group, so each request is handled by exactly one replica. */
export const QueueGroups = {
  DomainService: 'mailplane.domain-service',
} as const;
