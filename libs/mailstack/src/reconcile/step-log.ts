import type { ReconcileProgress, ReconcileStep, ReconcileStepOutcome } from './reconcile.types.js';

/** The steps of one run, timed, each reported with the share of the run done so far. */
export class StepLog {
  readonly steps: ReconcileStep[] = [];
  private done = 0;

  constructor(
    private readonly total: number,
    private readonly onProgress?: ReconcileProgress,
  ) {}

  record(name: string, outcome: ReconcileStepOutcome, startedAt: number, detail?: string): ReconcileStep {
    const step: ReconcileStep = { name, outcome, duration_ms: Math.round(performance.now() - startedAt), ...(detail ? { detail } : {}) };
    this.steps.push(step);
    this.done = Math.min(this.done + 1, this.total);
    this.onProgress?.(Math.min(100, Math.round((this.done / this.total) * 100)), step);
    return step;
  }

  /** Runs `fn` as step `name`; it returns the outcome (and a detail). A throw is recorded as failed and rethrown. */
  async run(name: string, fn: () => Promise<ReconcileStepOutcome | [ReconcileStepOutcome, string?]>): Promise<ReconcileStepOutcome> {
    const t0 = performance.now();
    try {
      const r = await fn();
      const [outcome, detail] = Array.isArray(r) ? r : [r];
      this.record(name, outcome, t0, detail);
      return outcome;
    } catch (err) {
      this.record(name, 'failed', t0, err instanceof Error ? err.message : String(err));
      throw err;
    }
  }
}
