import { Module } from '@nestjs/common';
import { DomainLookup } from '#database';
import { TenantDataController } from './tenant-data.controller.js';
import { TenantDataRepository } from './tenant-data.repository.js';

@Module({ controllers: [TenantDataController], providers: [TenantDataRepository, DomainLookup] })
export class TenantDataModule {}
