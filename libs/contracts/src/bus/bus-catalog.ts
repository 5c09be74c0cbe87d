import {
  AliasSubjects,
  AntispamSubjects,
  ConfigSubjects,
  DkimSubjects,
  DomainSubjects,
  EventSubjects,
  JobSubjects,
  MailboxSubjects,
  NodeSubjects,
  nodeSubject,
  type NodeSubject,
} from '../subjects.js';

/** Every process that connects to NATS, each with its own bus user and (if it sends RPCs) its own signing key. */
export const BUS_APPS = ['gateway', 'domain-service', 'mailbox-service', 'dkim-tls-service', 'queue-service', 'stats-service', 'worker'] as const;
export type BusApp = (typeof BUS_APPS)[number];

export function isBusApp(value: string): value is BusApp {
  return (BUS_APPS as readonly string[]).includes(value);
}

/** What one app does on the bus. Subjects may hold NATS wildcards (`*` one token, `>` the rest). */
export interface BusRole {
  /** Request subjects it answers (its Nest message patterns). */
  serves: readonly string[];
  /** Request subjects it sends, each with a signed caller context. */
  requests: readonly string[];
  /** Events it publishes after a commit. */
  publishes: readonly string[];
  /** Events it listens to. */
  listens: readonly string[];
}

const all = (subjects: Record<string, string>): string[] => Object.values(subjects);
/** Every node's copy of a node subject: the node id is the `*` token. */
const anyNode = (...subjects: NodeSubject[]): string[] => subjects.map((s) => nodeSubject('*', s));

const QUEUE_SUBJECTS = anyNode(
  NodeSubjects.QueueSummary,
  NodeSubjects.QueueList,
  NodeSubjects.QueueGet,
  NodeSubjects.QueueAction,
  NodeSubjects.QueueDelete,
  NodeSubjects.QueueFlush,
  NodeSubjects.QueueClear,
  NodeSubjects.QueuePing,
);
const STATS_SUBJECTS = anyNode(
  NodeSubjects.Stats,
  NodeSubjects.MailStats,
  NodeSubjects.ServicesList,
  NodeSubjects.ServiceGet,
  NodeSubjects.ServiceAction,
  NodeSubjects.About,
  NodeSubjects.StatsPing,
);

/**
 * Who serves, sends, publishes and hears which subject. The NATS server's per-user permissions and
 * the services' check of a signed context's issuer are both generated from this table, so a subject
 * added to subjects.ts is unreachable until it is listed here.
 */
export const BUS_CATALOG: Readonly<Record<BusApp, BusRole>> = {
  gateway: {
    serves: [],
    requests: [
      ...all(DomainSubjects),
      ...all(ConfigSubjects),
      ...all(AntispamSubjects),
      ...all(MailboxSubjects),
      ...all(AliasSubjects),
      ...all(DkimSubjects),
      ...all(JobSubjects),
      ...QUEUE_SUBJECTS,
      ...STATS_SUBJECTS,
    ],
    publishes: [EventSubjects.TenantSuspended, EventSubjects.TenantResumed, EventSubjects.TenantDeleted],
    listens: [],
  },
  'domain-service': {
    serves: [...all(DomainSubjects), ...all(ConfigSubjects), ...all(AntispamSubjects)],
    requests: [],
    publishes: [EventSubjects.DomainCreated, EventSubjects.DomainUpdated, EventSubjects.DomainDeleted, EventSubjects.ConfigChanged],
    listens: [],
  },
  'mailbox-service': { serves: [...all(MailboxSubjects), ...all(AliasSubjects)], requests: [], publishes: [EventSubjects.MailboxConfigChanged], listens: [] },
  'dkim-tls-service': { serves: all(DkimSubjects), requests: [], publishes: [EventSubjects.DkimChanged], listens: [] },
  'queue-service': { serves: QUEUE_SUBJECTS, requests: [], publishes: [], listens: [] },
  'stats-service': { serves: STATS_SUBJECTS, requests: [], publishes: [], listens: [] },
  worker: {
    // The workers keep the jobs table: jobs are started, read and cancelled through them.
    serves: all(JobSubjects),
    // The mailbox import creates each row as POST /mailboxes would, with the importing caller's context.
    requests: [MailboxSubjects.Create, MailboxSubjects.Get],
    publishes: [],
    listens: [EventSubjects.All],
  },
};

/** NATS subject matching: `*` matches one token, a final `>` one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return i === p.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** May `app` send a request on `subject`? What a service asks of a signed context's issuer. */
export function mayRequest(app: BusApp, subject: string): boolean {
  return BUS_CATALOG[app].requests.some((p) => subjectMatches(p, subject));
}

/** The apps that may send requests: each holds a signing key. */
export const BUS_SENDERS: readonly BusApp[] = BUS_APPS.filter((a) => BUS_CATALOG[a].requests.length > 0);

/** Where an app's request replies arrive (nats.js `inboxPrefix`): each app may only hear its own. */
export function inboxPrefixOf(app: BusApp): string {
  return `_INBOX.${app}`;
}
