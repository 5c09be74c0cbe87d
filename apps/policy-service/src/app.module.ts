import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Server as HttpServer } from 'node:http';
import type { Server } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createLoggerModule, type AppConfig } from '#common';
import { LimitsRepository } from './limits.repository.js';
import { startPolicyHealth } from './policy-health.js';
import { createPolicyServer } from './policy.server.js';
import { PolicyService } from './policy.service.js';
import { SendCounter } from './send-counter.js';

const CONFIG = Symbol('policy-service config');

/** Opens the database pool, Redis and the policy port with the app; closes them with it. */
@Injectable()
class PolicyListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('PolicyService');
  private pool: pg.Pool | null = null;
  private redis: Redis | null = null;
  private server: Server | null = null;
  private health: HttpServer | null = null;

  constructor(@Inject(CONFIG) private readonly config: AppConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    const c = this.config;
    this.pool = new pg.Pool({ connectionString: c.DATABASE_URL, max: 4 });
    this.redis = new Redis(c.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', (err) => this.log.warn(`redis: ${err.message}`));
    const policy = new PolicyService(new LimitsRepository(this.pool, c.POLICY_CACHE_MS), new SendCounter(this.redis));
    const server = createPolicyServer(policy, this.log);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(c.POLICY_PORT, c.POLICY_HOST, () => resolve());
    });
    this.log.log(`policy-service listening on ${c.POLICY_HOST}:${c.POLICY_PORT}`);
    if (c.HEALTH_PORT) this.health = startPolicyHealth(c.HEALTH_PORT, this.pool, this.redis);
  }

  async onApplicationShutdown(): Promise<void> {
    this.health?.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.redis?.disconnect();
    await this.pool?.end();
  }
}

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [createLoggerModule(config, 'policy-service')],
      providers: [{ provide: CONFIG, useValue: config }, PolicyListener],
    };
  }
}
