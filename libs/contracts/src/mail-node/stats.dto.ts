import { ApiProperty } from '@nestjs/swagger';

export class CpuStatsDto {
  @ApiProperty({ description: 'Busy share of all cores, 0-100', example: 12.5 }) usage_percent: number;
  @ApiProperty({ example: 4 }) cores: number;
}

export class MemoryStatsDto {
  @ApiProperty({ description: 'Bytes', example: 8_262_000_640 }) total: number;
  @ApiProperty({ description: 'Bytes in use, excluding buffers and page cache', example: 2_100_000_000 }) used: number;
  @ApiProperty({ description: 'Bytes available to new processes (total - used)', example: 6_162_000_640 }) free: number;
}

export class DiskStatsDto {
  @ApiProperty({ description: 'Mount point of the filesystem holding the Postfix spool (else /)', example: '/' }) mount: string;
  @ApiProperty({ description: 'Bytes', example: 107_374_182_400 }) total: number;
  @ApiProperty({ description: 'Bytes', example: 32_212_254_720 }) used: number;
  @ApiProperty({ description: 'Bytes', example: 75_161_927_680 }) free: number;
  @ApiProperty({ example: 30 }) used_percent: number;
}

export class LoadStatsDto {
  @ApiProperty({ example: 0.42 }) '1m': number;
  @ApiProperty({ example: 0.35 }) '5m': number;
  @ApiProperty({ example: 0.3 }) '15m': number;
}

export class ServicesHealthDto {
  @ApiProperty({ description: 'Managed daemons that are running', example: 3 }) healthy: number;
  @ApiProperty({ description: 'Managed daemons (MAILSTACK_SERVICES)', example: 3 }) total: number;
}

export class HostStatsDto {
  @ApiProperty({ example: 'default' }) node: string;
  @ApiProperty({ type: CpuStatsDto }) cpu: CpuStatsDto;
  @ApiProperty({ type: MemoryStatsDto }) memory: MemoryStatsDto;
  @ApiProperty({ type: DiskStatsDto, nullable: true }) disk: DiskStatsDto | null;
  @ApiProperty({ type: LoadStatsDto }) load: LoadStatsDto;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Messages in the Postfix queue; null when Postfix is not installed or its queue cannot be read',
    example: 4,
  })
  queue_size: number | null;
  @ApiProperty({ type: ServicesHealthDto }) services: ServicesHealthDto;
  @ApiProperty({ example: 86400 }) uptime_seconds: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T08:00:00.000Z' }) generated_at: string;
}

export class MailCountsDto {
  @ApiProperty({ description: 'Deliveries with status=sent (per recipient; includes LMTP deliveries to Dovecot)', example: 120 }) sent: number;
  @ApiProperty({ description: 'New messages accepted (one cleanup message-id line each)', example: 130 }) received: number;
  @ApiProperty({ description: 'status=bounced or status=expired (per recipient)', example: 2 }) bounced: number;
  @ApiProperty({ description: 'status=deferred delivery attempts (per recipient and attempt)', example: 7 }) deferred: number;
  @ApiProperty({ description: 'Rejections: NOQUEUE reject, cleanup/milter rejects', example: 15 }) rejected: number;
}

export class MailHourDto extends MailCountsDto {
  @ApiProperty({ format: 'date-time', description: 'Start of the hour (UTC)', example: '2026-11-21T07:00:00.000Z' }) hour: string;
}

export class MailStatsDto {
  @ApiProperty({ example: 'default' }) node: string;
  @ApiProperty({ example: '/var/log/mail.log' }) log_file: string;
  @ApiProperty({ description: 'false when the log file does not exist (all counts are then 0)', example: true }) log_found: boolean;
  @ApiProperty({ type: MailCountsDto, description: 'The last 60 minutes' }) last_hour: MailCountsDto;
  @ApiProperty({ type: MailCountsDto, description: 'The last 24 hours' }) last_24h: MailCountsDto;
  @ApiProperty({ type: [MailHourDto], description: '24 hourly buckets, oldest first; the last one is the current (partial) hour' }) hourly: MailHourDto[];
  @ApiProperty({ format: 'date-time', example: '2026-11-21T07:42:00.000Z' }) generated_at: string;
}
