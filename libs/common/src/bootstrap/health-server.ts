import { createServer, type Server } from 'node:http';
import type { DataSource } from 'typeorm';

/**
 * Plain HTTP liveness/readiness for orchestrators (the service itself only speaks NATS):
 * `/health/live` = the process runs, `/health/ready` = database answers and NATS is connected.
 */
/** `ds` null: a service without a database (queue-service, stats-service) is ready when NATS is. */
export function startHealthServer(port: number, ds: DataSource | null, natsConnected: () => boolean): Server {
  const server = createServer((req, res) => {
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.url === '/health/live') return send(200, { status: 'ok' });
    if (req.url === '/health/ready') {
      (ds ? ds.query('SELECT 1') : Promise.resolve())
        .then(() => (natsConnected() ? send(200, { status: 'ok' }) : send(503, { status: 'error', nats: 'disconnected' })))
        .catch(() => send(503, { status: 'error', database: 'unavailable' }));
      return;
    }
    send(404, { error: 'Not found', detail: `No route ${req.method} ${req.url}`, code: 'NOT_FOUND' });
  });
  server.on('error', (err) => {
    // A probe port that cannot be bound makes the pod unready forever: fail loudly instead.
    console.error(`health server cannot listen on port ${port}: ${err.message}`);
    process.exit(1);
  });
  return server.listen(port);
}
