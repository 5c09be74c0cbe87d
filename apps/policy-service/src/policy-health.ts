import { createServer, type Server } from 'node:http';
import type { Redis } from 'ioredis';
import type pg from 'pg';

/**
 * Liveness/readiness on HEALTH_PORT for orchestrators: `/health/ready` = the views answer and Redis
 * too (without them every decision would be a temporary failure).
 */
export function startPolicyHealth(port: number, pool: pg.Pool, redis: Redis): Server {
  const server = createServer((req, res) => {
    const send = (status: number, body: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/health/live') return send(200, { status: 'ok' });
    if (req.url === '/health/ready') {
      Promise.all([
        pool.query('SELECT 1 FROM mailstack.domain_limits LIMIT 1').then(
          () => null,
          () => 'database',
        ),
        redis.ping().then(
          () => null,
          () => 'redis',
        ),
      ])
        .then((down) => down.filter(Boolean))
        .then((down) => (down.length ? send(503, { status: 'error', unavailable: down }) : send(200, { status: 'ok' })));
      return;
    }
    send(404, { error: 'Not found', detail: `No route ${req.method} ${req.url}`, code: 'NOT_FOUND' });
  });
  server.on('error', (err) => {
    console.error(`health server cannot listen on port ${port}: ${err.message}`);
    process.exit(1);
  });
  return server.listen(port);
}
