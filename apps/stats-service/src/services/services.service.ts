import type { AppConfig } from '#common';
import {
  requirePlatformMailNodeCaller,
  type CallerContext,
  type MailstackServiceName,
  type ServiceAction,
  type ServiceActionResultDto,
  type ServiceListDto,
  type ServiceStatusDto,
} from '#contracts';
import { mailstackCall, ServiceControl } from '#mailstack';

const WHAT = 'Mail daemon control';
const DONE: Record<ServiceAction, [string, string]> = {
  start: ['started', 'was already running'],
  stop: ['stopped', 'was already stopped'],
  restart: ['restarted', 'restarted'],
  reload: ['reloaded', 'reloaded'],
};

/** Status and control of the mail daemons of this node (MAILSTACK_SERVICES). */
export class ServicesService {
  readonly control: ServiceControl;

  constructor(config: AppConfig) {
    this.control = new ServiceControl({
      binPath: config.MAILSTACK_BIN_PATH,
      postfixConfigDir: config.POSTFIX_CONFIG_DIR,
      dovecotConfigDir: config.DOVECOT_CONFIG_DIR,
      opendkimConfigDir: config.OPENDKIM_CONFIG_DIR,
      services: config.MAILSTACK_SERVICES.split(',') as MailstackServiceName[],
      commandsJson: config.MAILSTACK_SERVICE_COMMANDS,
    });
  }

  async list(ctx: CallerContext): Promise<ServiceListDto> {
    requirePlatformMailNodeCaller(ctx, WHAT);
    return { data: await this.control.statusAll() };
  }

  get(ctx: CallerContext, name: string): Promise<ServiceStatusDto> {
    requirePlatformMailNodeCaller(ctx, WHAT);
    return this.control.status(name);
  }

  async act(ctx: CallerContext, name: string, action: ServiceAction): Promise<ServiceActionResultDto> {
    requirePlatformMailNodeCaller(ctx, WHAT);
    const outcome = await mailstackCall(() => this.control.act(name, action));
    return { message: `${outcome.service.name} ${DONE[action][outcome.changed ? 0 : 1]}`, ...outcome };
  }
}
