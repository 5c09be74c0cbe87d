import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { generateBusKeyPair } from '#common';
import { BUS_SENDERS, type BusApp } from '#contracts';
import {
  ADMIN_CLI_MAIN,
  DKIM_TLS_SERVICE_MAIN,
  DOMAIN_SERVICE_MAIN,
  GATEWAY_MAIN,
  MAILBOX_SERVICE_MAIN,
  QUEUE_SERVICE_MAIN,
  POLICY_SERVICE_MAIN,
  SEED_MAIN,
  STATS_SERVICE_MAIN,
  WORKER_MAIN,
} from './paths.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { freePort, Proc, run, startNats, waitFor, type NatsServer } from './processes.js';
import { ApiClient } from './api-client.js';

export interface StackOptions {
  /** Gateway's RPC timeout; short in suites that provoke a 504. */
  natsTimeoutMs?: number;
  authCacheTtlMs?: number;
  logLevel?: string;
  /** Give domain-service its HTTP liveness/readiness port. */
  serviceHealthPort?: number;
  /** Give mailbox-service its HTTP liveness/readiness port. */
  mailboxServiceHealthPort?: number;
  /** Point the apps at another Redis (e.g. a dead port); then only liveness is awaited at start. */
  redisUrl?: string;
  /**
   * Drive the real Postfix/Dovecot/OpenDKIM of this host (started by scripts/mailstack.sh). Without
   * it the mail-node apps find no mail stack (MAILSTACK_BIN_PATH points nowhere) and answer 503.
   */
  mailstack?: boolean;
  /**
   * Rate limits: suites send hundreds of requests a minute with one key, so by default both are
   * 100000/min; a rate-limit suite sets its own.
   */
  rateLimitPerMin?: number;
  loginRateLimitPerMin?: number;
  unauthRateLimitPerMin?: number;
  /** Extra environment for every app. */
  env?: NodeJS.ProcessEnv;
}

/** Apps beside gateway, domain-service and mailbox-service that every stack runs. */
const MORE_APPS = {
  worker: WORKER_MAIN,
  'dkim-tls-service': DKIM_TLS_SERVICE_MAIN,
  'queue-service': QUEUE_SERVICE_MAIN,
  'stats-service': STATS_SERVICE_MAIN,
} as const;
export type MoreApp = keyof typeof MORE_APPS;

/** Another gateway process of a stack (see TestStack.startGateway). */
export interface ExtraGateway {
  proc: Proc;
  url: string;
  api(credential?: string): ApiClient;
}
/** Where the test stack looks for the mail daemons when it must find none. */
export const NO_MAILSTACK_PATH = '/nonexistent/mailplane-no-mailstack';

/** One key pair per app that sends RPCs, made anew for every stack. */
export type BusKeys = ReadonlyMap<BusApp, { privateKey: string; publicKey: string }>;

/**
 * A whole Mailplane for one suite: its own database and nats-server, the real gateway,
 * domain-service and mailbox-service as separate processes, and the first admin seeded exactly as `npm start` does.
 */
export class TestStack {
  private constructor(
    readonly db: TestDatabase,
    readonly nats: NatsServer,
    /** What every app gets; its bus credentials and signing key come on top (appEnv). */
    readonly env: NodeJS.ProcessEnv,
    readonly busKeys: BusKeys,
    readonly baseUrl: string,
    readonly gateway: Proc,
    public domainService: Proc,
    public mailboxService: Proc,
    readonly apps: Map<MoreApp, Proc>,
    readonly admin: { email: string; password: string; apiKey: string },
  ) {}

  /** Gateways started with startGateway; stopped with the stack. */
  private readonly extraGateways: Proc[] = [];
  /** The policy service Postfix asks (mailstack stacks only), on POLICY_PORT (10040 unless env sets it). */
  policyService: Proc | null = null;

  /** Starts a policy-service process of this stack; `port` defaults to the one reconcile renders into main.cf. */
  async startPolicyService(port = Number(this.env.POLICY_PORT ?? 10040)): Promise<Proc> {
    const proc = new Proc('policy-service', process.execPath, [POLICY_SERVICE_MAIN], { ...this.env, POLICY_PORT: String(port) });
    await waitFor(`policy-service on ${port}`, async () => {
      if (!proc.running) throw new Error(`policy-service exited:\n${proc.tail()}`);
      return new Promise<boolean>((resolve) => {
        const s = connect({ host: '127.0.0.1', port }, () => resolve(s.end() !== null));
        s.on('error', () => resolve(false));
      });
    });
    // Another process on the port would answer in its place: this one must still run.
    await new Promise((r) => setTimeout(r, 200));
    if (!proc.running) throw new Error(`policy-service exited:\n${proc.tail()}`);
    return proc;
  }

  static async start(label: string, options: StackOptions = {}): Promise<TestStack> {
    const db = await createTestDatabase(label);
    let nats: NatsServer | undefined;
    try {
      nats = await startNats();
      return await TestStack.boot(db, nats, options);
    } catch (err) {
      await nats?.stop();
      await db.drop();
      throw err;
    }
  }

  private static async boot(db: TestDatabase, nats: NatsServer, options: StackOptions): Promise<TestStack> {
    const port = await freePort();
    const busKeys: BusKeys = new Map(BUS_SENDERS.map((app) => [app, generateBusKeyPair()]));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: options.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'warn',
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      NATS_URL: nats.url,
      NATS_TIMEOUT_MS: String(options.natsTimeoutMs ?? 5000),
      BUS_VERIFY_KEYS: [...busKeys].map(([app, k]) => `${app}=${k.publicKey}`).join(','),
      REDIS_URL: options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0',
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
      JWT_SECRET: randomBytes(32).toString('hex'),
      AUTH_CACHE_TTL_MS: String(options.authCacheTtlMs ?? 1000),
      RATE_LIMIT_PER_MIN: String(options.rateLimitPerMin ?? 100_000),
      LOGIN_RATE_LIMIT_PER_MIN: String(options.loginRateLimitPerMin ?? 100_000),
      UNAUTH_RATE_LIMIT_PER_MIN: String(options.unauthRateLimitPerMin ?? 100_000),
      BOOTSTRAP_ADMIN_EMAIL: 'admin@mailplane.test',
      HEALTH_PORT: String(options.serviceHealthPort ?? 0),
      MAILPLANE_SECRET_KEY: randomBytes(32).toString('base64'),
      MAILSTACK_BIN_PATH: options.mailstack ? (process.env.MAILSTACK_BIN_PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin') : NO_MAILSTACK_PATH,
      RECONCILE_DEBOUNCE_MS: process.env.RECONCILE_DEBOUNCE_MS ?? '300',
      ...options.env,
    };
    const seed = await run(process.execPath, [SEED_MAIN], env);
    const admin = {
      email: /email:\s+(\S+)/.exec(seed.stdout)![1],
      password: /password:\s+(\S+)/.exec(seed.stdout)![1],
      apiKey: /API key:\s+(\S+)/.exec(seed.stdout)![1],
    };
    const envOf = (app: BusApp) => appEnvOf(env, nats, busKeys, app);
    const domainService = new Proc('domain-service', process.execPath, [DOMAIN_SERVICE_MAIN], envOf('domain-service'));
    // serviceHealthPort belongs to domain-service: mailbox-service must not try to bind it too.
    const mailboxEnv = { ...envOf('mailbox-service'), HEALTH_PORT: String(options.mailboxServiceHealthPort ?? 0) };
    const mailboxService = new Proc('mailbox-service', process.execPath, [MAILBOX_SERVICE_MAIN], mailboxEnv);
    const apps = new Map<MoreApp, Proc>();
    const appHealth: string[] = [];
    for (const [name, main] of Object.entries(MORE_APPS) as [MoreApp, string][]) {
      const healthPort = await freePort();
      appHealth.push(`http://127.0.0.1:${healthPort}/health/ready`);
      apps.set(name, new Proc(name, process.execPath, [main], { ...envOf(name), HEALTH_PORT: String(healthPort) }));
    }
    const gateway = new Proc('gateway', process.execPath, [GATEWAY_MAIN], envOf('gateway'));
    const stack = new TestStack(db, nats, env, busKeys, `http://127.0.0.1:${port}`, gateway, domainService, mailboxService, apps, admin);
    try {
      await stack.waitHealthy(options.redisUrl ? '/health/live' : '/health');
      if (!options.redisUrl) {
        for (const url of appHealth) await waitFor(url, async () => (await fetch(url).catch(() => null))?.status === 200);
      }
      // The node worker reconciles when it starts (it re-points the daemons at this database and
      // reloads them): let that finish before a suite talks to the daemons.
      if (options.mailstack) {
        stack.policyService = await stack.startPolicyService();
        await stack.reconcileSettled();
      }
    } catch (err) {
      const all = [gateway, domainService, mailboxService, ...apps.values(), ...(stack.policyService ? [stack.policyService] : [])];
      await Promise.allSettled(all.map((p) => p.stop()));
      throw new Error(`${(err as Error).message}\n${all.map((p) => `--- ${p.name}\n${p.tail()}`).join('\n')}`);
    }
    return stack;
  }

  api(credential?: string): ApiClient {
    return new ApiClient(this.baseUrl, credential);
  }

  /** The environment of one app of this stack: the shared one, its own bus user and, for a sender, its signing key. */
  appEnv(app: BusApp): NodeJS.ProcessEnv {
    return appEnvOf(this.env, this.nats, this.busKeys, app);
  }

  /**
   * A further gateway process against the same database, NATS and (unless `env` says otherwise)
   * Redis, as a second replica; `env` overrides the stack's (an undefined value removes a variable).
   * Ready once /health/live answers; stopped by stop() if the suite does not stop it first.
   */
  async startGateway(name: string, env: NodeJS.ProcessEnv = {}): Promise<ExtraGateway> {
    const port = await freePort();
    const proc = new Proc(name, process.execPath, [GATEWAY_MAIN], { ...this.appEnv('gateway'), GATEWAY_PORT: String(port), ...env });
    this.extraGateways.push(proc);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${name} /health/live`, async () => {
      if (!proc.running) throw new Error(`${name} exited:\n${proc.tail()}`);
      return (await fetch(`${url}/health/live`).catch(() => null))?.status === 200;
    });
    return { proc, url, api: (credential?: string) => new ApiClient(url, credential) };
  }

  async waitHealthy(path = '/health'): Promise<void> {
    await waitFor(`gateway ${path}`, async () => {
      if (!this.gateway.running) throw new Error('gateway exited');
      const res = await fetch(`${this.baseUrl}${path}`);
      return res.status === 200;
    });
  }

  /** Runs a reconcile now (POST /system/reconcile as the first admin) and waits until it completed; throws when it failed. */
  async reconcile(timeoutMs = 60_000): Promise<void> {
    const admin = this.api(this.admin.apiKey);
    const res = await admin.post('/api/v1/system/reconcile', {});
    if (res.status !== 202) throw new Error(`POST /system/reconcile: ${res.status} ${res.text}`);
    await waitFor(
      'the reconcile job',
      async () => {
        const job = await admin.get(`/api/v1/jobs/${res.body.job.id}`);
        if (['failed', 'cancelled'].includes(job.body.state)) throw new Error(`reconcile ${job.body.state}: ${job.text}`);
        return job.body.state === 'completed';
      },
      timeoutMs,
    );
    await this.reconcileSettled();
  }

  /** Waits until a reconcile has ended and none is queued or running. */
  async reconcileSettled(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      'the start-up reconcile',
      async () => {
        const [r] = await this.db.query<{ ended: string; pending: string }>(
          `SELECT count(*) FILTER (WHERE state IN ('completed', 'failed')) AS ended,
                  count(*) FILTER (WHERE state IN ('queued', 'active')) AS pending
             FROM jobs WHERE type = 'reconcile'`,
        );
        return Number(r.ended) > 0 && Number(r.pending) === 0;
      },
      timeoutMs,
    );
  }

  /** Starts a stopped app of MORE_APPS again (same environment, no health port). */
  restartApp(name: MoreApp, env: NodeJS.ProcessEnv = {}): Proc {
    const main = MORE_APPS[name];
    const proc = new Proc(name, process.execPath, [main], { ...this.appEnv(name), HEALTH_PORT: '0', ...env });
    this.apps.set(name, proc);
    return proc;
  }

  async startDomainService(): Promise<void> {
    this.domainService = new Proc('domain-service', process.execPath, [DOMAIN_SERVICE_MAIN], this.appEnv('domain-service'));
    await this.waitHealthy();
  }

  async startMailboxService(): Promise<void> {
    this.mailboxService = new Proc('mailbox-service', process.execPath, [MAILBOX_SERVICE_MAIN], { ...this.appEnv('mailbox-service'), HEALTH_PORT: '0' });
    await this.waitHealthy();
  }

  /** Runs the admin CLI against this stack's database. */
  async adminCli(...args: string[]): Promise<Record<string, unknown>> {
    return this.adminCliWithInput(undefined, ...args);
  }

  /** Runs the admin CLI with `input` on its stdin (a password for --password-stdin). */
  async adminCliWithInput(input: string | undefined, ...args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await run(process.execPath, [ADMIN_CLI_MAIN, ...args], this.env, input);
    return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  }

  /** A tenant admin in a new tenant, logged in, with an all-rights key of its own. */
  async tenantAdmin(tenant: string): Promise<{ email: string; password: string; token: string; apiKey: string; tenantId: string }> {
    const email = `${tenant}-admin@mailplane.test`;
    const password = `Pw-${randomBytes(9).toString('base64url')}`;
    await this.adminCliWithInput(`${password}\n`, 'create-admin', '--email', email, '--role', 'tenant_admin', '--tenant', tenant, '--password-stdin');
    const login = await this.api().post('/api/v1/auth/login', { email, password });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
    const token = login.body.access_token as string;
    const key = await this.api(token).post('/api/v1/api-keys', { name: `${tenant} key`, scopes: ['domains:write', 'api_keys:write'] });
    if (key.status !== 201) throw new Error(`key creation failed: ${key.status} ${JSON.stringify(key.body)}`);
    return { email, password, token, apiKey: key.body.key as string, tenantId: key.body.tenant_id as string };
  }

  async stop(): Promise<void> {
    await Promise.allSettled([
      this.gateway.stop(),
      ...this.extraGateways.map((p) => p.stop()),
      this.domainService.stop(),
      this.mailboxService.stop(),
      ...[...this.apps.values()].map((p) => p.stop()),
      this.policyService?.stop(),
    ]);
    await this.nats.stop();
    await this.db.drop();
  }
}

function appEnvOf(env: NodeJS.ProcessEnv, nats: NatsServer, busKeys: BusKeys, app: BusApp): NodeJS.ProcessEnv {
  const key = busKeys.get(app);
  return { ...env, ...nats.credentials(app), ...(key ? { BUS_SIGNING_KEY: key.privateKey } : {}) };
}
