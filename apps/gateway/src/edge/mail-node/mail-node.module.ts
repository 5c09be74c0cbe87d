import { Module } from '@nestjs/common';
import { QueueController } from './queue.controller.js';
import { ServicesController } from './services.controller.js';
import { StatsController } from './stats.controller.js';

/** Routes served by the services beside the gateway's mail node (MAIL_NODE_ID): queue, stats, services, about. */
@Module({ controllers: [QueueController, StatsController, ServicesController] })
export class MailNodeModule {}
