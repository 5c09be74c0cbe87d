import { Module } from '@nestjs/common';
import { DomainLookup } from '#database';
import { TenantLimits } from '../limits/tenant-limits.js';
import { AliasesController } from './aliases.controller.js';
import { AliasesRepository } from './aliases.repository.js';
import { AliasesService } from './aliases.service.js';

@Module({
  controllers: [AliasesController],
  providers: [AliasesService, AliasesRepository, DomainLookup, TenantLimits],
})
export class AliasesModule {}
