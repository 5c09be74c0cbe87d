import { createServer, type Server } from 'node:http';
import type { DataSource } from 'typeorm';

/**
 * Plain HTTP liveness/readiness for orchestrators (the service itself only speaks NATS):
 * `/health/live` = the process runs, `/health/ready` = database answers and NATS is connected.
 */
export function startHealthServer(port: number, ds: DataSource, natsConnected: () => boolean): Server {
  const server = createServer((req, res) => {
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.url === '/health/live') return send(200, { status: 'ok' });
    if (req.url === '/health/ready') {
      ds.query('SELECT 1')
        .then(() => (natsConnected() ? send(200, { status: 'ok' }) : send(503, { status: 'error', nats: 'disconnected' })))
        .catch(() => send(503, { status: 'error', database: 'unavailable' }));
      return;
    }
    send(404, { error: 'Not found', detail: `No route ${req.method} ${req.url}`, code: 'NOT_FOUND' });
  });
  return server.listen(port);
}
