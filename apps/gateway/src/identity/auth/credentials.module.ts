import { Module } from '@nestjs/common';
import { CredentialsRepository } from './credentials.repository.js';
import { CredentialsService } from './credentials.service.js';

/** Resolves a bearer token or API key to a principal; the edge's auth guard and the identity services that must drop cached credentials share it. */
@Module({ providers: [CredentialsService, CredentialsRepository], exports: [CredentialsService] })
export class CredentialsModule {}
