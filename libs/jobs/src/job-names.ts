/**
 * BullMQ queue and job names.
 *
 * WARNING: these strings live in Redis beside jobs that may still be waiting, and in the `jobs`
 * table's `type` column. Renaming one needs a migration plan: run workers that consume both names
 * until the old queue is drained, then drop the old name. Never use a queue or job literal elsewhere.
 */
export const JobNames = {
  Reconcile: 'reconcile',
  MailboxesImport: 'mailboxes.import',
} as const;
export type JobName = (typeof JobNames)[keyof typeof JobNames];
export const JOB_NAMES: readonly JobName[] = Object.values(JobNames);

/** Jobs that run on a mail node go to that node's queue; the rest to the shared one. */
export const QueueNames = {
  Shared: 'mailplane-jobs',
  /** Per node: `nodeQueueName(MAIL_NODE_ID)`. */
  NodePrefix: 'mailplane-node-',
} as const;

export function nodeQueueName(nodeId: string): string {
  return `${QueueNames.NodePrefix}${nodeId}`;
}

export function queueFor(job: JobName, nodeId: string): string {
  return job === JobNames.Reconcile ? nodeQueueName(nodeId) : QueueNames.Shared;
}
