import { Module } from '@nestjs/common';
import { DkimController } from './dkim.controller.js';

@Module({ controllers: [DkimController] })
export class DkimModule {}
