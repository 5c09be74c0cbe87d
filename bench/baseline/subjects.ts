/**
 * NATS names used only by the bench baseline (bare-gateway ↔ bare-service). They live apart from
 * libs/contracts/src/subjects.ts on purpose: nothing in Mailplane may ever listen on them.
 */
export const BenchSubjects = {
  DomainsList: 'bench.domains.list',
} as const;

export const BenchQueueGroups = {
  BareService: 'bench.bare-service',
} as const;
