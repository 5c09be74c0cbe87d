import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { NatsRpcClient, type AppConfig } from '#common';
import { DkimSubjects, DomainSubjects, MailboxSubjects, NodeSubjects, nodeSubject } from '#contracts';
import { APP_CONFIG } from '../../shared/app-config.js';
import { Public } from '../../shared/authenticated.decorator.js';
import { REDIS } from '../../shared/redis.module.js';
import { JobQueueWatch } from '../jobs/job-queue-watch.js';

const CHECK_TIMEOUT_MS = 1500;

class LiveDto {
  @ApiProperty({ example: 'ok' }) status: string;
}

class ReadyDto {
  @ApiProperty({ enum: ['ok', 'error'] }) status: string;
  @ApiProperty({ description: 'Dependencies that are up' }) info: object;
  @ApiProperty({ description: 'Dependencies that are down' }) error: object;
  @ApiProperty({ description: 'Every dependency with its status' }) details: object;
}

class HealthDto extends ReadyDto {
  @ApiProperty({
    description:
      'The mail node (MAIL_NODE_ID): queue-service, stats-service and the workers of its reconcile queue. Reported, not critical: the control plane works without it (its routes answer 503).',
  })
  mail_node: object;
}

const UP = { status: 'up' };
const OWN_UP = { database: UP, redis: UP, nats: UP };
const CRITICAL_UP = { ...OWN_UP, 'domain-service': UP, 'mailbox-service': UP, 'dkim-tls-service': UP };
const HEALTH_EXAMPLE = {
  status: 'ok',
  info: CRITICAL_UP,
  error: {},
  details: CRITICAL_UP,
  mail_node: { node: 'default', status: 'up', 'queue-service': UP, 'stats-service': UP, worker: { status: 'up', workers: 1 } },
};

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly rpc: NatsRpcClient,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly queues: JobQueueWatch,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Liveness: the process serves HTTP. No dependency is consulted. */
  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness', description: 'The gateway process serves HTTP; no dependency is consulted.' })
  @ApiOkResponse({ type: LiveDto })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness for a load balancer: this process and its own connections only (PostgreSQL pool,
   * Redis, NATS). A NATS service being down is not this gateway's fault, and every replica would
   * see it alike: failing them all would turn one service's outage into a total one.
   */
  @Get('ready')
  @Public()
  @ApiOperation({
    summary: 'Readiness (shallow)',
    description:
      "The gateway's own dependencies answer: PostgreSQL, Redis and the NATS connection; 503 otherwise. The NATS services are not asked (see /health).",
  })
  @ApiOkResponse({ type: ReadyDto, example: { status: 'ok', info: OWN_UP, error: {}, details: OWN_UP } })
  @ApiServiceUnavailableResponse({
    description: 'The database, Redis or the NATS connection is down',
    type: ReadyDto,
    example: {
      status: 'error',
      info: { database: UP, nats: UP },
      error: { redis: { status: 'down', message: 'Redis did not answer within 1500 ms' } },
      details: { ...OWN_UP, redis: { status: 'down', message: 'Redis did not answer within 1500 ms' } },
    },
  })
  async ready(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthCheckResult | object> {
    return this.run(res, this.ownChecks());
  }

  /** Deep check for operators: every critical dependency answers; 503 otherwise. */
  @Get()
  @Public()
  @ApiOperation({
    summary: 'Health (deep)',
    description:
      'PostgreSQL, Redis, NATS, domain-service, mailbox-service and dkim-tls-service all answer; 503 when any is down. ' +
      '`mail_node` reports queue-service, stats-service and the reconcile workers of MAIL_NODE_ID without failing the check.',
  })
  @ApiOkResponse({ type: HealthDto, example: HEALTH_EXAMPLE })
  @ApiServiceUnavailableResponse({
    description: 'A critical dependency is down',
    type: HealthDto,
    example: { ...HEALTH_EXAMPLE, status: 'error', error: { 'domain-service': { status: 'down', message: 'No domains service is running.' } } },
  })
  async check(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthCheckResult | object> {
    const [critical, mailNode] = await Promise.all([this.critical(res), this.mailNode()]);
    return { ...critical, mail_node: mailNode };
  }

  private critical(res: FastifyReply): Promise<HealthCheckResult | object> {
    const ping = (key: string, subject: string) => () =>
      this.probe(key, async () => {
        const pong = await this.rpc.send<{ service: string }>(subject, {}, undefined, CHECK_TIMEOUT_MS);
        return { service: pong.service };
      });
    return this.run(res, [
      ...this.ownChecks(),
      ping('domain-service', DomainSubjects.Ping),
      ping('mailbox-service', MailboxSubjects.Ping),
      ping('dkim-tls-service', DkimSubjects.Ping),
    ]);
  }

  /** This process's own connections: the PostgreSQL pool, Redis, NATS. */
  private ownChecks(): HealthIndicatorFunction[] {
    return [
      () => this.db.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }),
      () => this.probe('redis', async () => ({ reply: await withTimeout(this.redis.ping(), 'Redis') })),
      () =>
        this.probe('nats', async () => {
          if (!this.rpc.isConnected) throw new Error('disconnected from NATS');
          const rtt = await withTimeout(this.rpc.connection.rtt(), 'NATS');
          return { rtt_ms: Math.round(rtt * 100) / 100 };
        }),
    ];
  }

  private async run(res: FastifyReply, checks: HealthIndicatorFunction[]): Promise<HealthCheckResult | object> {
    try {
      return await this.health.check(checks);
    } catch (err) {
      void res.status(503);
      return (err as { getResponse?: () => object }).getResponse?.() ?? { status: 'error' };
    }
  }

  /** The mail node's services answer, and some worker consumes its reconcile queue. */
  private async mailNode(): Promise<Record<string, unknown>> {
    const node = this.config.MAIL_NODE_ID;
    const ping = async (subject: typeof NodeSubjects.QueuePing | typeof NodeSubjects.StatsPing) => {
      try {
        await this.rpc.send(nodeSubject(node, subject), {}, undefined, CHECK_TIMEOUT_MS);
        return { status: 'up' };
      } catch (err) {
        const e = err as { detail?: string; message?: string };
        return { status: 'down', message: e.detail ?? e.message ?? 'unavailable' };
      }
    };
    const workers = async () => {
      try {
        const n = await withTimeout(this.queues.workersOfNode(), 'Redis');
        return n > 0 ? { status: 'up', workers: n } : { status: 'down', workers: 0, message: `no worker consumes node ${node}'s reconcile queue` };
      } catch (err) {
        return { status: 'down', message: (err as Error).message };
      }
    };
    const [queue, stats, worker] = await Promise.all([ping(NodeSubjects.QueuePing), ping(NodeSubjects.StatsPing), workers()]);
    const up = [queue, stats, worker].every((c) => c.status === 'up');
    return { node, status: up ? 'up' : 'down', 'queue-service': queue, 'stats-service': stats, worker };
  }

  private async probe(key: string, fn: () => Promise<Record<string, unknown>>) {
    const ind = this.indicator.check(key);
    try {
      return ind.up(await fn());
    } catch (err) {
      const e = err as { detail?: string; message?: string };
      return ind.down({ message: e.detail ?? e.message ?? 'unavailable' });
    }
  }
}
