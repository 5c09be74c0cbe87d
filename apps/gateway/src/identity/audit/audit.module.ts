import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditStateInterceptor } from './audit-state.interceptor.js';
import { AuditController } from './audit.controller.js';
import { AuditRepository } from './audit.repository.js';
import { AuditRetentionService } from './audit-retention.service.js';

/** The audit log: written by Fastify hooks (installAuditHooks in main.ts), read through GET /audit-log; AuditStateInterceptor reads the before/after state of the object a write addresses (@AuditObject). */
@Module({
  controllers: [AuditController],
  providers: [AuditRepository, AuditRetentionService, { provide: APP_INTERCEPTOR, useClass: AuditStateInterceptor }],
  exports: [AuditRepository],
})
export class AuditModule {}
