import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import { NatsRpcClient } from '#common';
import { DomainSubjects, MailboxSubjects } from '#contracts';
import { Public } from '../auth/authenticated.decorator.js';
import { REDIS } from './redis.provider.js';

const CHECK_TIMEOUT_MS = 1500;

class LiveDto {
  @ApiProperty({ example: 'ok' }) status: string;
}

class HealthDto {
  @ApiProperty({ enum: ['ok', 'error'] }) status: string;
  @ApiProperty({ description: 'Dependencies that are up' }) info: object;
  @ApiProperty({ description: 'Dependencies that are down' }) error: object;
  @ApiProperty({ description: 'Every dependency with its status' }) details: object;
}

const UP = { status: 'up' };
const HEALTH_EXAMPLE = {
  status: 'ok',
  info: { database: UP, redis: UP, nats: UP, 'domain-service': UP, 'mailbox-service': UP },
  error: {},
  details: { database: UP, redis: UP, nats: UP, 'domain-service': UP, 'mailbox-service': UP },
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
  ) {}

  /** Liveness: the process serves HTTP. No dependency is consulted. */
  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness', description: 'The gateway process serves HTTP; no dependency is consulted.' })
  @ApiOkResponse({ type: LiveDto })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: every critical dependency answers; 503 otherwise. */
  @Get()
  @Public()
  @ApiOperation({ summary: 'Readiness', description: 'PostgreSQL, Redis, NATS, domain-service and mailbox-service all answer; 503 when any is down.' })
  @ApiOkResponse({ type: HealthDto, example: HEALTH_EXAMPLE })
  @ApiServiceUnavailableResponse({
    description: 'A critical dependency is down',
    type: HealthDto,
    example: { ...HEALTH_EXAMPLE, status: 'error', error: { 'domain-service': { status: 'down', message: 'No domains service is running.' } } },
  })
  async check(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthCheckResult | object> {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database', { timeout: CHECK_TIMEOUT_MS }),
        () => this.probe('redis', async () => ({ reply: await withTimeout(this.redis.ping(), 'Redis') })),
        () =>
          this.probe('nats', async () => {
            if (!this.rpc.isConnected) throw new Error('disconnected from NATS');
            const rtt = await withTimeout(this.rpc.connection.rtt(), 'NATS');
            return { rtt_ms: Math.round(rtt * 100) / 100 };
          }),
        () =>
          this.probe('domain-service', async () => {
            const pong = await this.rpc.send<{ service: string }>(DomainSubjects.Ping, {}, undefined, CHECK_TIMEOUT_MS);
            return { service: pong.service };
          }),
        () =>
          this.probe('mailbox-service', async () => {
            const pong = await this.rpc.send<{ service: string }>(MailboxSubjects.Ping, {}, undefined, CHECK_TIMEOUT_MS);
            return { service: pong.service };
          }),
      ]);
    } catch (err) {
      void res.status(503);
      return (err as { getResponse?: () => object }).getResponse?.() ?? { status: 'error' };
    }
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
