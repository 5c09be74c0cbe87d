import pg from 'pg';

export interface MailboxLimits {
  maxSendPerDay: number;
  maxRecipients: number;
  messageSizeLimit: number;
}

/**
 * The limits of mailboxes and domains from the `mailstack` views (PolicyLimits1764500000003), cached
 * for POLICY_CACHE_MS so an API change acts within that time and a busy node does not ask per RCPT.
 */
export class LimitsRepository {
  private readonly cache = new Map<string, { at: number; value: unknown }>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly cacheMs: number,
  ) {}

  mailbox(address: string): Promise<MailboxLimits | null> {
    return this.cached(`m:${address}`, async () => {
      const { rows } = await this.pool.query<{ max_send_per_day: number; max_recipients_per_message: number; message_size_limit: string }>(
        'SELECT max_send_per_day, max_recipients_per_message, message_size_limit FROM mailstack.sending_limits WHERE username = $1',
        [address],
      );
      const r = rows[0];
      return r ? { maxSendPerDay: r.max_send_per_day, maxRecipients: r.max_recipients_per_message, messageSizeLimit: Number(r.message_size_limit) } : null;
    });
  }

  domainSizeLimit(domain: string): Promise<number | null> {
    return this.cached(`d:${domain}`, async () => {
      const { rows } = await this.pool.query<{ message_size_limit: string }>('SELECT message_size_limit FROM mailstack.domain_limits WHERE domain = $1', [
        domain,
      ]);
      return rows[0] ? Number(rows[0].message_size_limit) : null;
    });
  }

  private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < this.cacheMs) return hit.value as T;
    const value = await load();
    if (this.cacheMs > 0) {
      if (this.cache.size > 100_000) this.cache.clear();
      this.cache.set(key, { at: Date.now(), value });
    }
    return value;
  }
}
