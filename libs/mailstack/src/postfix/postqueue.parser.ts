/**
 * Parser for `postqueue -j`: one JSON object per line (Postfix ≥ 3.1). Odd lines (warnings such as
 * "Mail system is down -- accessing queue directly", truncated output, non-objects) are skipped and
 * counted, never fatal: one bad line must not hide the rest of the queue.
 */

export interface QueuedRecipient {
  address: string;
  delay_reason: string | null;
}

export interface QueuedMessage {
  queue_name: string;
  queue_id: string;
  /** RFC 3339 UTC. */
  arrival_time: string;
  message_size: number;
  sender: string;
  recipients: QueuedRecipient[];
  forced_expire: boolean;
}

export interface PostqueueParseResult {
  messages: QueuedMessage[];
  /** Lines that were not a usable queue entry. */
  skipped: number;
}

export function parsePostqueueJson(output: string): PostqueueParseResult {
  const messages: QueuedMessage[] = [];
  let skipped = 0;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const entry = parsePostqueueLine(line);
    if (entry) messages.push(entry);
    else skipped++;
  }
  return { messages, skipped };
}

export function parsePostqueueLine(line: string): QueuedMessage | null {
  if (!line.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  if (typeof o.queue_id !== 'string' || !o.queue_id || typeof o.queue_name !== 'string') return null;
  const arrival = typeof o.arrival_time === 'number' && Number.isFinite(o.arrival_time) ? o.arrival_time : 0;
  return {
    queue_name: o.queue_name,
    queue_id: o.queue_id,
    arrival_time: new Date(arrival * 1000).toISOString(),
    message_size: typeof o.message_size === 'number' && o.message_size >= 0 ? o.message_size : 0,
    sender: typeof o.sender === 'string' ? o.sender : '',
    recipients: Array.isArray(o.recipients) ? o.recipients.flatMap(recipientOf) : [],
    forced_expire: o.forced_expire === true,
  };
}

function recipientOf(r: unknown): QueuedRecipient[] {
  if (typeof r !== 'object' || r === null) return [];
  const o = r as Record<string, unknown>;
  if (typeof o.address !== 'string') return [];
  return [{ address: o.address, delay_reason: typeof o.delay_reason === 'string' && o.delay_reason ? o.delay_reason : null }];
}
