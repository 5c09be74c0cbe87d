/** A failure a retry cannot fix (a failed check, no mail stack, invalid input): the job fails at once. */
export class PermanentJobError extends Error {
  constructor(
    message: string,
    /** Kept as the job's result beside the error (e.g. the reconcile steps up to the failure). */
    readonly result: object | null = null,
  ) {
    super(message);
    this.name = 'PermanentJobError';
  }
}
