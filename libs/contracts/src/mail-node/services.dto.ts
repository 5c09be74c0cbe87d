import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsIn, IsString, MaxLength } from 'class-validator';
import { WithCaller } from '../caller-context.js';

export const MAILSTACK_SERVICE_NAMES = ['postfix', 'dovecot', 'opendkim', 'rspamd', 'clamd'] as const;
export type MailstackServiceName = (typeof MAILSTACK_SERVICE_NAMES)[number];

export const SERVICE_ACTIONS = ['start', 'stop', 'restart', 'reload'] as const;
export type ServiceAction = (typeof SERVICE_ACTIONS)[number];

export class ServiceStatusDto {
  @ApiProperty({ enum: MAILSTACK_SERVICE_NAMES, example: 'postfix' }) name: MailstackServiceName;
  @ApiProperty({ description: 'Its program was found in MAILSTACK_BIN_PATH', example: true }) installed: boolean;
  @ApiProperty({ example: true }) running: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'PID of the master process', example: 4242 }) pid: number | null;
  @ApiProperty({ type: String, nullable: true, example: '3.7.11' }) version: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'When the running master process started',
    example: '2026-11-21T06:00:00.000Z',
  })
  since: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 3600 }) uptime_seconds: number | null;
  @ApiProperty({
    enum: ['systemd', 'direct'],
    description: "How it is controlled: systemctl (PID 1 is systemd) or the daemon's own commands",
    example: 'direct',
  })
  control: 'systemd' | 'direct';
}

export class ServiceListDto {
  @ApiProperty({ type: [ServiceStatusDto] }) data: ServiceStatusDto[];
}

export class ServiceActionResultDto {
  @ApiProperty({ example: 'postfix restarted' }) message: string;
  @ApiProperty({ enum: SERVICE_ACTIONS, example: 'restart' }) action: ServiceAction;
  @ApiProperty({ description: 'false when the daemon already was in the requested state (start while running, stop while stopped)', example: true })
  changed: boolean;
  @ApiProperty({ type: ServiceStatusDto, description: 'State re-checked after the action' }) service: ServiceStatusDto;
}

export class DaemonVersionsDto {
  @ApiProperty({ example: '3.7.11' }) postfix: string;
  @ApiProperty({ example: '2.3.19.1' }) dovecot: string;
  @ApiProperty({ example: '2.11.0' }) opendkim: string;
  @ApiProperty({ example: '3.4' }) rspamd: string;
  @ApiProperty({ example: '1.4.6' }) clamd: string;
}

export class AboutDto {
  @ApiProperty({ example: 'mailplane' }) name: string;
  @ApiProperty({ example: '0.1.0' }) version: string;
  @ApiProperty({ example: 'default' }) node: string;
  @ApiProperty({ example: 'mail1.example.net' }) hostname: string;
  @ApiProperty({ example: 'Debian GNU/Linux 12 (bookworm)' }) os: string;
  @ApiProperty({ example: '6.1.0-27-amd64' }) kernel: string;
  @ApiProperty({ example: 'x64' }) arch: string;
  @ApiProperty({ example: 'v24.11.1' }) node_version: string;
  @ApiProperty({ type: DaemonVersionsDto, description: 'Each daemon\'s version, or "not installed"' }) daemons: DaemonVersionsDto;
}

/* RPC envelopes. */

export class ServiceRefRpc extends WithCaller {
  @IsDefined()
  @IsString()
  @MaxLength(64)
  name: string;
}

export class ServiceActionRpc extends ServiceRefRpc {
  @IsDefined()
  @IsIn(SERVICE_ACTIONS)
  action: ServiceAction;
}
