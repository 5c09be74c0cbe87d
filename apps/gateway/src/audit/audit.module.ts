import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { AuditRepository } from './audit.repository.js';
import { AuditRetentionService } from './audit-retention.service.js';

/** The audit log: written by Fastify hooks (installAuditHooks in main.ts), read through GET /audit-log. */
@Module({
  controllers: [AuditController],
  providers: [AuditRepository, AuditRetentionService],
  exports: [AuditRepository],
})
export class AuditModule {}
