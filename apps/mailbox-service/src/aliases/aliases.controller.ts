import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AliasRefRpc, AliasSubjects, CreateAliasRpc, ListAliasesRpc, UpdateAliasRpc, type AliasDto, type Paginated } from '#contracts';
import { AliasesService } from './aliases.service.js';

@Controller()
export class AliasesController {
  constructor(private readonly aliases: AliasesService) {}

  @MessagePattern(AliasSubjects.List)
  list(@Payload() msg: ListAliasesRpc): Promise<Paginated<AliasDto>> {
    return this.aliases.list(msg.ctx, msg.query);
  }

  @MessagePattern(AliasSubjects.Create)
  create(@Payload() msg: CreateAliasRpc): Promise<AliasDto> {
    return this.aliases.create(msg.ctx, msg.body);
  }

  @MessagePattern(AliasSubjects.Get)
  get(@Payload() msg: AliasRefRpc): Promise<AliasDto> {
    return this.aliases.get(msg.ctx, msg.ref);
  }

  @MessagePattern(AliasSubjects.Update)
  update(@Payload() msg: UpdateAliasRpc): Promise<AliasDto> {
    return this.aliases.update(msg.ctx, msg.ref, msg.body);
  }

  @MessagePattern(AliasSubjects.Delete)
  delete(@Payload() msg: AliasRefRpc): Promise<{ message: string }> {
    return this.aliases.delete(msg.ctx, msg.ref);
  }
}
