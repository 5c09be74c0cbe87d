import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import Fastify from 'fastify';
import { BenchSubjects } from './subjects.js';

/**
 * Baseline edge: a plain Fastify server whose GET /api/v1/domains forwards the query over one raw
 * NATS connection (`nc.request`, 5 s timeout) and returns the reply's JSON. No auth, no Nest, no
 * request logging.
 *
 * Env: NATS_URL, BENCH_PORT (and BENCH_HOST, default 127.0.0.1).
 */
const natsUrl = process.env.NATS_URL;
const port = Number(process.env.BENCH_PORT);
if (!natsUrl || !port) throw new Error('NATS_URL and BENCH_PORT must be set');

const nc = await connect({ servers: natsUrl.split(','), name: `bench-bare-gateway-${process.pid}` });
const app = Fastify({ logger: false });

app.get('/api/v1/domains', async (req) => {
  const payload = JSON.stringify({ data: { query: req.query }, id: randomUUID() });
  const msg = await nc.request(BenchSubjects.DomainsList, payload, { timeout: 5000 });
  return msg.json<unknown>();
});

await app.listen({ port, host: process.env.BENCH_HOST ?? '127.0.0.1' });
console.log(`bare-gateway listening on ${port}`);

async function shutdown(): Promise<void> {
  await app.close().catch(() => undefined);
  await nc.drain().catch(() => undefined);
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
