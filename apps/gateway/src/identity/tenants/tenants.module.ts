import { Module } from '@nestjs/common';
import { CredentialsModule } from '../auth/credentials.module.js';
import { TenantDataClient } from './tenant-data.client.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsRepository } from './tenants.repository.js';
import { TenantsService } from './tenants.service.js';

@Module({
  imports: [CredentialsModule],
  controllers: [TenantsController],
  providers: [TenantsService, TenantsRepository, TenantDataClient],
})
export class TenantsModule {}
