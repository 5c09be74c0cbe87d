import type { JobDto } from '#contracts';
import type { JobRow } from './job-status.store.js';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function jobLocation(id: string): string {
  return `/api/v1/jobs/${id}`;
}

export function toJobDto(r: JobRow): JobDto {
  return {
    id: r.id,
    type: r.type,
    state: r.state,
    progress: r.progress,
    result: r.result,
    error: r.error,
    attempts: r.attempts,
    tenant_id: r.tenant_id,
    created_by: r.created_by,
    status_url: jobLocation(r.id),
    created_at: iso(r.created_at)!,
    started_at: iso(r.started_at),
    finished_at: iso(r.finished_at),
    updated_at: iso(r.updated_at)!,
  };
}
