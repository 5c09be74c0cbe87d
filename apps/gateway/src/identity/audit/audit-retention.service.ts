import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '#common';
import { APP_CONFIG } from '../../shared/app-config.js';
import { AuditRepository } from './audit.repository.js';

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** Deletes entries past AUDIT_RETENTION_DAYS at start and hourly; an advisory lock keeps it to one replica at a time. */
@Injectable()
export class AuditRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditRetention');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repo: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purgeNow(), PURGE_INTERVAL_MS).unref();
    setTimeout(() => void this.purgeNow(), 5_000).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purgeNow(): Promise<number> {
    try {
      const n = await this.repo.purge(this.config.AUDIT_RETENTION_DAYS);
      if (n) this.logger.log(`deleted ${n} audit entries older than ${this.config.AUDIT_RETENTION_DAYS} days`);
      return n;
    } catch (err) {
      this.logger.error(`audit retention purge failed: ${(err as Error).message}`);
      return 0;
    }
  }
}
