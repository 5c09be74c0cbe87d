import { Controller, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  NodeSubjects,
  nodeSubject,
  ServiceActionRpc,
  ServiceRefRpc,
  WithCaller,
  type AboutDto,
  type HostStatsDto,
  type MailStatsDto,
  type ServiceActionResultDto,
  type ServiceListDto,
  type ServiceStatusDto,
} from '#contracts';
import { ServicesService } from './services/services.service.js';
import { HostStatsService } from './stats/host-stats.service.js';
import { MailStatsService } from './stats/mail-stats.service.js';
import { AboutService } from './system/about.service.js';

/** The subjects carry this node's id, known only once the config is loaded: the controller class is made per node. */
export function statsController(nodeId: string): Type<unknown> {
  const s = (subject: Parameters<typeof nodeSubject>[1]) => nodeSubject(nodeId, subject);

  @Controller()
  class StatsController {
    constructor(
      private readonly host: HostStatsService,
      private readonly mail: MailStatsService,
      private readonly services: ServicesService,
      private readonly system: AboutService,
    ) {}

    /** For the gateway's /health. */
    @MessagePattern(s(NodeSubjects.StatsPing))
    ping(): { service: string; node: string } {
      return { service: 'stats-service', node: nodeId };
    }

    @MessagePattern(s(NodeSubjects.Stats))
    stats(@Payload() msg: WithCaller): Promise<HostStatsDto> {
      return this.host.stats(msg.ctx);
    }

    @MessagePattern(s(NodeSubjects.MailStats))
    mailStats(@Payload() msg: WithCaller): Promise<MailStatsDto> {
      return this.mail.mailStats(msg.ctx);
    }

    @MessagePattern(s(NodeSubjects.ServicesList))
    list(@Payload() msg: WithCaller): Promise<ServiceListDto> {
      return this.services.list(msg.ctx);
    }

    @MessagePattern(s(NodeSubjects.ServiceGet))
    get(@Payload() msg: ServiceRefRpc): Promise<ServiceStatusDto> {
      return this.services.get(msg.ctx, msg.name);
    }

    @MessagePattern(s(NodeSubjects.ServiceAction))
    act(@Payload() msg: ServiceActionRpc): Promise<ServiceActionResultDto> {
      return this.services.act(msg.ctx, msg.name, msg.action);
    }

    @MessagePattern(s(NodeSubjects.About))
    about(@Payload() msg: WithCaller): Promise<AboutDto> {
      return this.system.about(msg.ctx);
    }
  }
  return StatsController;
}
