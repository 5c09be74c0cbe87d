import { Module } from '@nestjs/common';
import { TenantDataController } from './tenant-data.controller.js';
import { TenantDataRepository } from './tenant-data.repository.js';

@Module({ controllers: [TenantDataController], providers: [TenantDataRepository] })
export class TenantDataModule {}
