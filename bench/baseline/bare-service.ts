import { domainToUnicode } from 'node:url';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { BenchQueueGroups, BenchSubjects } from './subjects.js';

/**
 * Baseline service: a raw NATS subscriber (queue group) that runs the same SQL that
 * DomainsRepository.list runs for a default page (platform admin, no filters: empty WHERE, sort by
 * name, bound LIMIT/OFFSET) through a pg Pool and replies `{data, meta}` shaped like the real
 * reply (same DTO mapping). No Nest, no TypeORM, no validation, no logging. Keep LIST_SQL in step
 * with the repository when that query changes.
 *
 * Env: NATS_URL, DATABASE_URL, DATABASE_POOL_SIZE.
 */
const LIST_SQL =
  'SELECT id, tenant_id, name, active, outgoing_ip, created_at, updated_at, count(*) OVER () AS total ' +
  'FROM domains  ORDER BY name ASC NULLS LAST, id ASC LIMIT $1 OFFSET $2';
const PAGE = { page: 1, limit: 50 };
/** LIMIT and OFFSET are bound parameters, as in the repository (so pg uses the extended protocol too). */
const LIST_PARAMS = [PAGE.limit, (PAGE.page - 1) * PAGE.limit];

interface Row {
  id: string;
  tenant_id: string;
  name: string;
  active: boolean;
  outgoing_ip: string;
  created_at: Date;
  updated_at: Date;
  total: string;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const pool = new pg.Pool({
  connectionString: required('DATABASE_URL'),
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  application_name: 'mailplane-bench-bare-service',
});
const nc = await connect({ servers: required('NATS_URL').split(','), name: `bench-bare-service-${process.pid}` });

async function list(): Promise<unknown> {
  const { rows } = await pool.query<Row>(LIST_SQL, LIST_PARAMS);
  const total = rows.length > 0 ? Number(rows[0].total) : 0;
  return {
    data: rows.map((r) => ({
      id: r.id,
      tenant_id: r.tenant_id,
      name: r.name,
      name_unicode: domainToUnicode(r.name) || r.name,
      active: r.active,
      outgoing_ip: r.outgoing_ip,
      created_at: new Date(r.created_at).toISOString(),
      updated_at: new Date(r.updated_at).toISOString(),
    })),
    meta: { ...PAGE, total },
  };
}

nc.subscribe(BenchSubjects.DomainsList, {
  queue: BenchQueueGroups.BareService,
  callback: (err, msg) => {
    if (err) {
      console.error('subscription error', err);
      return;
    }
    msg.json(); // decode the request like a real service would
    list().then(
      (reply) => msg.respond(JSON.stringify(reply)),
      (e: unknown) => {
        console.error('query failed', e);
        msg.respond(JSON.stringify({ error: String(e) }));
      },
    );
  },
});
await nc.flush();
console.log(`bare-service listening on ${BenchSubjects.DomainsList}`);

async function shutdown(): Promise<void> {
  await nc.drain().catch(() => undefined);
  await pool.end().catch(() => undefined);
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
