import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import si from 'systeminformation';
import type { AppConfig } from '#common';
import { requirePlatformMailNodeCaller, type AboutDto, type CallerContext } from '#contracts';
import type { ServicesService } from '../services/services.service.js';

const NOT_INSTALLED = 'not installed';

/** What runs on this node: Mailplane's version, the host, and the mail daemons' versions. */
export class AboutService {
  private readonly app = readPackage();

  constructor(
    private readonly config: AppConfig,
    private readonly services: ServicesService,
  ) {}

  async about(ctx: CallerContext): Promise<AboutDto> {
    requirePlatformMailNodeCaller(ctx, 'System information');
    const [os, daemons] = await Promise.all([si.osInfo(), this.services.control.versions()]);
    return {
      name: this.app.name,
      version: this.app.version,
      node: this.config.MAIL_NODE_ID,
      hostname: hostname(),
      os: [os.distro, os.release, os.codename ? `(${os.codename})` : ''].filter(Boolean).join(' '),
      kernel: os.kernel,
      arch: os.arch,
      node_version: process.version,
      daemons: {
        postfix: daemons.postfix ?? NOT_INSTALLED,
        dovecot: daemons.dovecot ?? NOT_INSTALLED,
        opendkim: daemons.opendkim ?? NOT_INSTALLED,
        rspamd: daemons.rspamd ?? NOT_INSTALLED,
        clamd: daemons.clamd ?? NOT_INSTALLED,
      },
    };
  }
}

/** The nearest package.json above this file (dist/apps/... or apps/...). */
function readPackage(): { name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name && pkg.version) return { name: pkg.name, version: pkg.version };
    }
    dir = dirname(dir);
  }
  return { name: 'mailplane', version: 'unknown' };
}
