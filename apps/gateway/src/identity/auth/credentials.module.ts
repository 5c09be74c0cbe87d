import { Module } from '@nestjs/common';
import { CredentialsService } from './credentials.service.js';

/** Resolves a bearer token or API key to a principal; the edge's auth guard and the identity services that must drop cached credentials share it. */
@Module({ providers: [CredentialsService], exports: [CredentialsService] })
export class CredentialsModule {}
