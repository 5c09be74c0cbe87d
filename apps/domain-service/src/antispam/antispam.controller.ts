import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AntispamEntryRefRpc,
  AntispamSubjects,
  CreateAntispamEntryRpc,
  GetAntispamConfigRpc,
  ListAntispamEntriesRpc,
  PutAntispamConfigRpc,
  type AntispamEntryDto,
  type AntispamSettings,
  type Paginated,
} from '#contracts';
import { AntispamService } from './antispam.service.js';

@Controller()
export class AntispamController {
  constructor(private readonly antispam: AntispamService) {}

  @MessagePattern(AntispamSubjects.GetConfig)
  getConfig(@Payload() msg: GetAntispamConfigRpc): Promise<AntispamSettings> {
    return this.antispam.getConfig(msg.ctx);
  }

  @MessagePattern(AntispamSubjects.PutConfig)
  putConfig(@Payload() msg: PutAntispamConfigRpc): Promise<AntispamSettings> {
    return this.antispam.putConfig(msg.ctx, msg.settings);
  }

  @MessagePattern(AntispamSubjects.ListEntries)
  list(@Payload() msg: ListAntispamEntriesRpc): Promise<Paginated<AntispamEntryDto>> {
    return this.antispam.list(msg.ctx, msg.list, msg.query, msg.domain);
  }

  @MessagePattern(AntispamSubjects.CreateEntry)
  create(@Payload() msg: CreateAntispamEntryRpc): Promise<AntispamEntryDto> {
    return this.antispam.create(msg.ctx, msg.list, msg.body, msg.domain);
  }

  @MessagePattern(AntispamSubjects.DeleteEntry)
  delete(@Payload() msg: AntispamEntryRefRpc): Promise<{ message: string }> {
    return this.antispam.delete(msg.ctx, msg.list, msg.id, msg.domain);
  }
}
