import { Logger } from '@nestjs/common';
import { cpus, loadavg, uptime } from 'node:os';
import si from 'systeminformation';
import type { AppConfig } from '#common';
import { requirePlatformMailNodeCaller, type CallerContext, type DiskStatsDto, type HostStatsDto } from '#contracts';
import { MailstackMissingError, PostfixQueue } from '#mailstack';
import type { ServicesService } from '../services/services.service.js';

/** Where Postfix keeps its queue on Debian; the disk reported is the filesystem holding it. */
const SPOOL = '/var/spool/postfix';

/** Host metrics of the mail node, plus queue size and daemon health. */
export class HostStatsService {
  private readonly logger = new Logger(HostStatsService.name);
  private readonly queue: PostfixQueue;

  constructor(
    private readonly config: AppConfig,
    private readonly services: ServicesService,
  ) {
    this.queue = new PostfixQueue({ binPath: config.MAILSTACK_BIN_PATH, configDir: config.POSTFIX_CONFIG_DIR, timeoutMs: 10_000 });
  }

  async stats(ctx: CallerContext): Promise<HostStatsDto> {
    requirePlatformMailNodeCaller(ctx, 'Host statistics');
    const [load, mem, disks, queueSize, services] = await Promise.all([
      si.currentLoad(),
      si.mem(),
      si.fsSize().catch(() => []),
      this.queueSize(),
      this.services.control.statusAll(),
    ]);
    const [l1, l5, l15] = loadavg();
    return {
      node: this.config.MAIL_NODE_ID,
      cpu: { usage_percent: round(load.currentLoad), cores: cpus().length },
      // "used" leaves out buffers and page cache, which the kernel gives back on demand.
      memory: { total: mem.total, used: mem.total - mem.available, free: mem.available },
      disk: spoolDisk(disks),
      load: { '1m': round(l1), '5m': round(l5), '15m': round(l15) },
      queue_size: queueSize,
      services: { healthy: services.filter((s) => s.running).length, total: services.length },
      uptime_seconds: Math.round(uptime()),
      generated_at: new Date().toISOString(),
    };
  }

  /** null when Postfix is not installed here or its queue cannot be read: stats must not fail for that. */
  private async queueSize(): Promise<number | null> {
    try {
      return (await this.queue.list()).length;
    } catch (err) {
      if (!(err instanceof MailstackMissingError)) this.logger.warn({ err: (err as Error).message }, 'queue size unavailable');
      return null;
    }
  }
}

function spoolDisk(disks: si.Systeminformation.FsSizeData[]): DiskStatsDto | null {
  const holding = disks
    .filter((d) => d.mount && (SPOOL === d.mount || SPOOL.startsWith(d.mount.endsWith('/') ? d.mount : `${d.mount}/`)))
    .sort((a, b) => b.mount.length - a.mount.length)[0];
  if (!holding) return null;
  const free = holding.available ?? holding.size - holding.used;
  return { mount: holding.mount, total: holding.size, used: holding.used, free, used_percent: round(holding.size ? (holding.used / holding.size) * 100 : 0) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
