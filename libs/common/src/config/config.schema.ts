import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL with scheme ${protocols.join(' or ')}`,
  );

/**
 * Every environment variable Mailplane reads. `.env.example`, docker-compose.yml and k8s/ may only
 * set keys listed here (a test enforces it).
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://mailplane:mailplane@127.0.0.1:5432/mailplane'),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  /** Longest wait for a new database connection or a free pool slot; then 503. */
  DATABASE_CONNECT_TIMEOUT_MS: int(100, 600_000).default(5000),
  /** Longest a single SQL statement may run (server-side statement_timeout; 0 = no limit); then 504. */
  DATABASE_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(15_000),
  /** A session left idle inside a transaction this long is ended by the server (0 = no limit). */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: int(0, 3_600_000).default(60_000),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379/0'),
  /** The product's own authenticated bus (never an open server): 4223 is where `npm start` runs it. */
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4223'),
  /** This process's own NATS user and password (each app has its own; the server's permissions come from the bus catalog). Default user: the app's name. */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  /** Ed25519 private key (PKCS8 PEM, or base64 of its DER) that signs the caller context of every RPC this app sends (gateway, worker). */
  BUS_SIGNING_KEY: z.string().min(1).optional(),
  /** Senders whose signed caller contexts a service accepts: `issuer=base64 SPKI DER` of each Ed25519 public key, comma-separated. */
  BUS_VERIFY_KEYS: z
    .string()
    .regex(/^[a-z][a-z0-9-]*=[A-Za-z0-9+/=_-]+(,[a-z][a-z0-9-]*=[A-Za-z0-9+/=_-]+)*$/, 'comma-separated issuer=base64 public key')
    .optional(),
  /** Lifetime of a signed caller context; a service also refuses one that claims a longer life. */
  BUS_TOKEN_TTL_SECONDS: int(5, 300).default(30),
  /** How long the gateway waits for a service reply before answering 504. */
  NATS_TIMEOUT_MS: int(100, 120_000).default(5000),
  GATEWAY_HOST: z.string().min(1).default('0.0.0.0'),
  GATEWAY_PORT: int(1, 65535).default(3000),
  /** Base URL printed for humans and used in Location headers of docs. */
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  /** Comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed; empty = none. */
  TRUST_PROXY: z.string().default(''),
  /**
   * Send Strict-Transport-Security (one year, subdomains). Only where clients reach the gateway over
   * HTTPS (TLS terminated upstream): browsers then refuse plain HTTP to the host for that year.
   */
  HSTS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** The whole request (headers and body) must have arrived within this time; else 408 and the connection is closed. */
  HTTP_REQUEST_TIMEOUT_MS: int(1000, 600_000).default(30_000),
  /** The request headers must have arrived within this time of the connection's first byte. */
  HTTP_HEADERS_TIMEOUT_MS: int(500, 600_000).default(10_000),
  /** A client that announced a body must have sent all of it within this time of its headers (slow or stalled uploads). */
  HTTP_BODY_TIMEOUT_MS: int(500, 600_000).default(10_000),
  /** A connection on which nothing moves for this long is closed; keep it above NATS_TIMEOUT_MS (a request waiting on a service is quiet). */
  HTTP_CONNECTION_TIMEOUT_MS: int(1000, 3_600_000).default(120_000),
  /** HMAC key for access tokens; at least 32 characters. Required by the gateway only. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ACCESS_TTL_SECONDS: int(60, 86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: int(300, 31_536_000).default(2_592_000),
  /** Milliseconds an API-key or account lookup may be served from the in-process cache (bounds how long a revoked key keeps working). */
  AUTH_CACHE_TTL_MS: int(0, 60_000).default(1000),
  /** Days audit-log entries are kept; older ones are deleted hourly by one gateway replica. */
  AUDIT_RETENTION_DAYS: int(1, 36_500).default(365),
  /** Requests per minute per API key or account, unless the key or its tenant sets its own. */
  RATE_LIMIT_PER_MIN: int(1, 10_000_000).default(120),
  /** Login attempts per minute per client IP (POST /auth/login and its 2FA step). */
  LOGIN_RATE_LIMIT_PER_MIN: int(1, 10_000_000).default(10),
  /** Requests per minute per client IP that fail authentication (no, bad or unknown credentials); past it 429. */
  UNAUTH_RATE_LIMIT_PER_MIN: int(1, 10_000_000).default(60),
  /** Failed logins of one account after which each further attempt waits (1 s, doubling per failure). */
  LOGIN_LOCKOUT_THRESHOLD: int(1, 1000).default(5),
  /** Failed logins from one client IP after which it waits likewise (a success does not reset this one). */
  LOGIN_IP_LOCKOUT_THRESHOLD: int(1, 100_000).default(30),
  /** Longest lockout delay, seconds. */
  LOGIN_LOCKOUT_MAX_SECONDS: int(1, 86_400).default(900),
  /** 32 bytes, base64: encrypts secrets at rest (DKIM/TLS keys, TOTP and webhook secrets). */
  MAILPLANE_SECRET_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  /** The policy service (Postfix policy delegation, apps/policy-service): where it listens and Postfix asks it. */
  POLICY_HOST: z.string().min(1).default('127.0.0.1'),
  POLICY_PORT: int(1, 65535).default(10040),
  /** How long the policy service keeps a mailbox's or domain's limits before reading them again (ms). */
  POLICY_CACHE_MS: int(0, 60_000).default(2000),
  /** Port of a NATS service's own liveness/readiness HTTP endpoint (0 = off). */
  HEALTH_PORT: int(0, 65535).default(0),
  /** Dovecot scheme for new mailbox passwords (stored with its `{SCHEME}` prefix). */
  MAILBOX_PASSWORD_SCHEME: z.enum(['ARGON2ID', 'BLF-CRYPT', 'SHA512-CRYPT', 'SSHA512']).default('ARGON2ID'),
  /** Mailbox password policy: minimum length, and how many of lower/upper/digit/symbol it must mix. */
  MAILBOX_PASSWORD_MIN_LENGTH: int(1, 256).default(10),
  MAILBOX_PASSWORD_MIN_CLASSES: int(1, 4).default(3),
  MAIL_NODE_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and hyphens')
    .default('default'),
  // --- mail node (worker reconcile, queue-service, stats-service) ---
  /** Colon-separated folders searched for postfix, postconf, postqueue, postsuper, doveadm, doveconf, dovecot, opendkim. None found = no mail stack here (503). */
  MAILSTACK_BIN_PATH: z.string().min(1).default('/usr/sbin:/usr/bin:/sbin:/bin'),
  POSTFIX_CONFIG_DIR: z.string().startsWith('/', 'must be an absolute path').default('/etc/postfix'),
  DOVECOT_CONFIG_DIR: z.string().startsWith('/', 'must be an absolute path').default('/etc/dovecot'),
  /** KeyTable, SigningTable and keys/ (key files mode 600, owned by OPENDKIM_USER). Never under /tmp: OpenDKIM refuses such keys. */
  OPENDKIM_CONFIG_DIR: z.string().startsWith('/', 'must be an absolute path').default('/etc/opendkim'),
  RSPAMD_CONFIG_DIR: z.string().startsWith('/', 'must be an absolute path').default('/etc/rspamd'),
  OPENDKIM_USER: z.string().min(1).default('opendkim'),
  /** The connection Postfix and Dovecot use for the `mailstack` views (read-only role). Default: DATABASE_URL's server and database as role mailplane_mailstack without a password. */
  MAILSTACK_DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  /**
   * The mail node's connection (role mailplane_node: reads what reconcile needs, writes job status;
   * no accounts, keys or mailbox passwords). Read by the migrate step only, which gives the role
   * LOGIN and this password; the mail node's apps get it as their DATABASE_URL.
   */
  MAIL_NODE_DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  /** Postfix's mail log (maillog_file or syslog's mail.log); absent = empty counts. */
  MAIL_LOG_FILE: z.string().startsWith('/', 'must be an absolute path').default('/var/log/mail.log'),
  /** Daemons listed and controlled by /services, comma-separated, from postfix, dovecot, opendkim, rspamd, clamd. */
  MAILSTACK_SERVICES: z
    .string()
    .regex(
      /^(postfix|dovecot|opendkim|rspamd|clamd)(,(postfix|dovecot|opendkim|rspamd|clamd))*$/,
      'comma-separated list of postfix, dovecot, opendkim, rspamd, clamd',
    )
    .default('postfix,dovecot,opendkim,rspamd,clamd'),
  /** Optional JSON overriding daemon commands: {"opendkim":{"start":["/usr/sbin/opendkim","-x","/etc/opendkim.conf"],...}}. */
  MAILSTACK_SERVICE_COMMANDS: z.string().optional(),
  /** Quiet time after the last relevant change before the automatic reconcile runs. */
  RECONCILE_DEBOUNCE_MS: int(0, 600_000).default(1000),
  /** A node worker also reconciles this often without any change (0 = only on changes and at start). */
  RECONCILE_INTERVAL_SECONDS: int(0, 86_400).default(900),
  /**
   * Which queues a worker consumes: `node` (this MAIL_NODE_ID's reconcile; run it beside the daemons), `shared` (imports), `all`,
   * or `none` (it only answers the jobs API over NATS: start, list, read, cancel).
   */
  WORKER_QUEUES: z.enum(['all', 'node', 'shared', 'none']).default('all'),
  /** Jobs one worker process runs at once. */
  WORKER_CONCURRENCY: int(1, 100).default(4),
  BOOTSTRAP_ADMIN_EMAIL: z.string().email().default('admin@mailplane.local'),
  BOOTSTRAP_TENANT_NAME: z.string().min(1).max(100).default('default'),
});

export type AppConfig = z.infer<typeof configSchema>;
export const CONFIG_KEYS: readonly string[] = Object.keys(configSchema.shape);

export class ConfigError extends Error {}

/** An app states the optional keys it cannot run without. */
export function requireConfig<K extends keyof AppConfig>(config: AppConfig, ...keys: K[]): AppConfig & Required<Pick<AppConfig, K>> {
  const missing = keys.filter((k) => config[k] === undefined);
  if (missing.length) throw new ConfigError(`Invalid configuration:\n${missing.map((k) => `  ${String(k)}: required`).join('\n')}`);
  return config as AppConfig & Required<Pick<AppConfig, K>>;
}

/** Validates the environment once; every bad value is named in one message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const input: Record<string, string> = {};
  for (const key of CONFIG_KEYS) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
