import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root, found from the compiled file's location (dist/test/...). */
export const REPO_ROOT = (() => {
  let dir = import.meta.dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mailplane') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
})();

export const DIST = join(REPO_ROOT, 'dist');
export const GATEWAY_MAIN = join(DIST, 'apps/gateway/src/main.js');
export const DOMAIN_SERVICE_MAIN = join(DIST, 'apps/domain-service/src/main.js');
export const MAILBOX_SERVICE_MAIN = join(DIST, 'apps/mailbox-service/src/main.js');
export const WORKER_MAIN = join(DIST, 'apps/worker/src/main.js');
export const DKIM_TLS_SERVICE_MAIN = join(DIST, 'apps/dkim-tls-service/src/main.js');
export const QUEUE_SERVICE_MAIN = join(DIST, 'apps/queue-service/src/main.js');
export const STATS_SERVICE_MAIN = join(DIST, 'apps/stats-service/src/main.js');
export const POLICY_SERVICE_MAIN = join(DIST, 'apps/policy-service/src/main.js');
export const SEED_MAIN = join(DIST, 'libs/database/seeds/first-admin.seed.js');
export const ADMIN_CLI_MAIN = join(DIST, 'apps/gateway/src/cli/admin.cli.js');
