import { createServer, type Server } from 'node:http';
import type { DataSource } from 'typeorm';

/**
 * Plain HTTP liveness/readiness for orchestrators (the service itself only speaks NATS):
 * `/health/live` = the process runs, `/health/ready` = database answers and NATS is connected.
 */
/** `ds` null: a service without a database (queue-service, stats-service) is ready when NATS is. */
export function startHealthServer(port: number, ds: DataSource | null, natsConnected: () => boolean): Server {
  return startProbeServer(port, async (): Promise<Record<string, string> | null> => {
    const dbUp = ds
      ? await ds.query('SELECT 1').then(
          () => true,
          () => false,
        )
      : true;
    if (!dbUp) return { database: 'unavailable' };
    return natsConnected() ? null : { nats: 'disconnected' };
  });
}

/**
 * `/health/live` (the process runs) and `/health/ready` (503 with what `notReady` names, e.g.
 * `{ redis: 'unavailable' }`; null = ready) on `port`, for any process that is not a NATS service.
 */
export function startProbeServer(port: number, notReady: () => Promise<Readonly<Record<string, string>> | null>): Server {
  const server = createServer((req, res) => {
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.url === '/health/live') return send(200, { status: 'ok' });
    if (req.url === '/health/ready') {
      notReady()
        .then((down) => (down ? send(503, { status: 'error', ...down }) : send(200, { status: 'ok' })))
        .catch(() => send(503, { status: 'error' }));
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
