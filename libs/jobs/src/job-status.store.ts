import type { JobState } from '#contracts';
import type { JobName } from './job-names.js';
import type { JobOwner } from './job-data.js';

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface JobRow {
  id: string;
  type: string;
  tenant_id: string | null;
  created_by: string | null;
  state: JobState;
  progress: number;
  result: Record<string, unknown> | null;
  error: string | null;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  updated_at: Date;
}

export const JOB_COLUMNS = 'id, type, tenant_id, created_by, state, progress, result, error, attempts, created_at, started_at, finished_at, updated_at';

/** pg returns UPDATE results as [rows, count]; SELECT/INSERT as rows. */
function rows<T>(r: unknown): T[] {
  return (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number' ? r[0] : r) as T[];
}

/**
 * The jobs table: the status every reader sees. Every transition is one statement; a job that was
 * cancelled stays cancelled (no later transition overwrites it). Never given secrets.
 */
export class JobStatusStore {
  constructor(private readonly db: Queryable) {}

  async insertQueued(id: string, type: JobName, owner: JobOwner): Promise<JobRow> {
    const r = rows<JobRow>(
      await this.db.query(
        `INSERT INTO jobs (id, type, tenant_id, created_by, state) VALUES ($1, $2, $3, $4, 'queued')
       ON CONFLICT (id) DO UPDATE SET updated_at = jobs.updated_at RETURNING ${JOB_COLUMNS}`,
        [id, type, owner.tenantId, owner.createdBy],
      ),
    );
    return r[0];
  }

  /** Removes a row whose BullMQ job could not be added (nothing will ever run it). */
  async discard(id: string): Promise<void> {
    await this.db.query(`DELETE FROM jobs WHERE id = $1 AND state = 'queued'`, [id]);
  }

  /**
   * An attempt starts. Inserts the row when the producer did not (deduplicated automatic jobs get
   * their row here). Returns false when the job was cancelled meanwhile: the caller must not run it.
   */
  async markActive(id: string, type: string, attempt: number, createdAt: Date): Promise<boolean> {
    const r = rows<{ state: JobState }>(
      await this.db.query(
        `INSERT INTO jobs (id, type, state, attempts, created_at, started_at) VALUES ($1, $2, 'active', $3, $4, now())
       ON CONFLICT (id) DO UPDATE SET state = 'active', attempts = EXCLUDED.attempts, error = NULL,
              started_at = COALESCE(jobs.started_at, now()), updated_at = now()
        WHERE jobs.state IN ('queued', 'active')
       RETURNING state`,
        [id, type, attempt, createdAt],
      ),
    );
    return r.length > 0;
  }

  async progress(id: string, percent: number): Promise<void> {
    const p = Math.max(0, Math.min(100, Math.round(percent)));
    await this.db.query(`UPDATE jobs SET progress = $2, updated_at = now() WHERE id = $1 AND state = 'active'`, [id, p]);
  }

  async complete(id: string, result: object): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET state = 'completed', progress = 100, result = $2::jsonb, error = NULL, finished_at = now(), updated_at = now()
        WHERE id = $1 AND state <> 'cancelled'`,
      [id, JSON.stringify(result)],
    );
  }

  async fail(id: string, error: string, result: object | null = null): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET state = 'failed', error = $2, result = $3::jsonb, finished_at = now(), updated_at = now()
        WHERE id = $1 AND state <> 'cancelled'`,
      [id, error, result === null ? null : JSON.stringify(result)],
    );
  }

  /** Fails a job no attempt recorded an end for (its worker died and BullMQ gave up on it). */
  async failIfActive(id: string, error: string): Promise<void> {
    await this.db.query(`UPDATE jobs SET state = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1 AND state = 'active'`, [
      id,
      error,
    ]);
  }

  /** A transient failure: BullMQ retries after a backoff; the row says so. */
  async retrying(id: string, error: string): Promise<void> {
    await this.db.query(`UPDATE jobs SET state = 'queued', error = $2, updated_at = now() WHERE id = $1 AND state = 'active'`, [id, error]);
  }

  /** Queued → cancelled; returns the row, or null when it was no longer queued. */
  async cancel(id: string): Promise<JobRow | null> {
    const r = rows<JobRow>(
      await this.db.query(
        `UPDATE jobs SET state = 'cancelled', finished_at = now(), updated_at = now() WHERE id = $1 AND state = 'queued' RETURNING ${JOB_COLUMNS}`,
        [id],
      ),
    );
    return r[0] ?? null;
  }

  async get(id: string): Promise<JobRow | null> {
    const r = rows<JobRow>(await this.db.query(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [id]));
    return r[0] ?? null;
  }
}
