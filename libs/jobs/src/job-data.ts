import type { CallerContext, CreateMailboxDto, ImportRowResultDto } from '#contracts';

/** What started a reconcile: an API call, or the debounced trigger after change events. */
export interface ReconcileJobData {
  trigger: 'manual' | 'auto';
}

export interface ImportRowInput {
  /** 1-based data row of the request. */
  row: number;
  address?: string;
  /** The body POST /mailboxes takes, less the password. */
  body: Omit<CreateMailboxDto, 'password'>;
  /** The password sealed under MAILPLANE_SECRET_KEY (import-passwords.ts): never clear text in Redis. */
  password_sealed: string;
}

/**
 * A mailbox import. Lives in Redis only (it holds sealed passwords) and is removed when the job ends.
 * Rows finished by an attempt are recorded beside the job (JobQueues.recordDone); `done` holds rows
 * already finished when the job was queued. A retried attempt skips both.
 */
export interface MailboxImportJobData {
  ctx: CallerContext;
  rows: ImportRowInput[];
  /** Rows the preview refused: reported as failed without being sent. */
  refused: ImportRowResultDto[];
  done: ImportRowResultDto[];
}

export interface MailboxImportResult {
  rows: ImportRowResultDto[];
  /** not_attempted: rows a job that failed for good never reached. */
  totals: { total: number; created: number; exists: number; failed: number; not_attempted?: number };
}

/** Who a job belongs to, stored on its jobs row. */
export interface JobOwner {
  tenantId: string | null;
  createdBy: string | null;
}
