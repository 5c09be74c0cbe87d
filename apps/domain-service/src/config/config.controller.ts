import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { ConfigSubjects, DomainRefRpc, GetTierRpc, PutDomainOverridesRpc, PutTierRpc, type DomainEffectiveDto } from '#contracts';
import { ConfigService } from './config.service.js';

@Controller()
export class ConfigController {
  constructor(private readonly config: ConfigService) {}

  @MessagePattern(ConfigSubjects.GetTier)
  getTier(@Payload() msg: GetTierRpc): Promise<Record<string, unknown>> {
    return this.config.getTier(msg.ctx, msg.tier);
  }

  @MessagePattern(ConfigSubjects.PutTier)
  putTier(@Payload() msg: PutTierRpc): Promise<Record<string, unknown>> {
    return this.config.putTier(msg.ctx, msg.tier, msg.settings);
  }

  @MessagePattern(ConfigSubjects.GetDomainOverrides)
  getOverrides(@Payload() msg: DomainRefRpc): Promise<Record<string, unknown>> {
    return this.config.getOverrides(msg.ctx, msg.ref);
  }

  @MessagePattern(ConfigSubjects.PutDomainOverrides)
  putOverrides(@Payload() msg: PutDomainOverridesRpc): Promise<Record<string, unknown>> {
    return this.config.putOverrides(msg.ctx, msg.ref, msg.settings);
  }

  @MessagePattern(ConfigSubjects.GetDomainEffective)
  effective(@Payload() msg: DomainRefRpc): Promise<DomainEffectiveDto> {
    return this.config.effective(msg.ctx, msg.ref);
  }
}
