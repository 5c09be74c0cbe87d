import type { AppConfig } from '#common';
import { listMeta } from '#common';
import {
  DEFAULT_PAGE_LIMIT,
  MailNodeError,
  MailNodeErrorCode,
  requirePlatformMailNodeCaller,
  type CallerContext,
  type ListQueueItemsQueryDto,
  type Paginated,
  type QueueActionResultDto,
  type QueueClearResultDto,
  type QueueFlushResultDto,
  type QueueItemAction,
  type QueueItemDetailDto,
  type QueueItemDto,
  type QueueSummaryDto,
} from '#contracts';
import { isValidQueueId, mailstackCall, PostfixQueue, QUEUE_ID_RULE, type QueuedMessage } from '#mailstack';

const WHAT = 'The Postfix queue';

const ACTION_DONE: Record<QueueItemAction, string> = { hold: 'placed on hold', release: 'released from hold', requeue: 'requeued' };

/** The Postfix queue of this mail node: every rule of the queue API lives here. */
export class QueueService {
  private readonly queue: PostfixQueue;

  constructor(private readonly config: AppConfig) {
    this.queue = new PostfixQueue({ binPath: config.MAILSTACK_BIN_PATH, configDir: config.POSTFIX_CONFIG_DIR });
  }

  async summary(ctx: CallerContext): Promise<QueueSummaryDto> {
    requirePlatformMailNodeCaller(ctx, WHAT);
    const messages = await mailstackCall(() => this.queue.list());
    const queues: QueueSummaryDto['queues'] = { active: 0, deferred: 0, hold: 0, incoming: 0, maildrop: 0 };
    for (const m of messages) if (m.queue_name in queues) queues[m.queue_name as keyof typeof queues]++;
    return { node: this.config.MAIL_NODE_ID, total: messages.length, queues };
  }

  async list(ctx: CallerContext, q: ListQueueItemsQueryDto): Promise<Paginated<QueueItemDto>> {
    requirePlatformMailNodeCaller(ctx, WHAT);
    const sender = q.sender?.toLowerCase();
    const recipient = q.recipient?.toLowerCase();
    const matching = (await mailstackCall(() => this.queue.list())).filter(
      (m) =>
        (!q.queue || m.queue_name === q.queue) &&
        (!sender || m.sender.toLowerCase().includes(sender)) &&
        (!recipient || m.recipients.some((r) => r.address.toLowerCase().includes(recipient))),
    );
    const sort = q.sort ?? 'arrival_time';
    const dir = q.order === 'desc' ? -1 : 1;
    matching.sort((a, b) => dir * (compare(a[sort], b[sort]) || compare(a.queue_id, b.queue_id)));
    const page = q.page ?? 1;
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    return { data: matching.slice((page - 1) * limit, page * limit).map(toDto), meta: listMeta({ page, limit }, matching.length) };
  }

  async get(ctx: CallerContext, queueId: string): Promise<QueueItemDetailDto> {
    requirePlatformMailNodeCaller(ctx, WHAT);
    this.checkId(queueId);
    const item = await mailstackCall(() => this.queue.find(queueId));
    if (!item) throw notQueued(queueId);
    const headers = await mailstackCall(() => this.queue.headers(queueId));
    return { ...toDto(item), headers };
  }

  async act(ctx: CallerContext, queueId: string, action: QueueItemAction): Promise<QueueActionResultDto> {
    requirePlatformMailNodeCaller(ctx, WHAT);
    this.checkId(queueId);
    const item = await mailstackCall(() => this.queue.find(queueId));
    if (!item) throw notQueued(queueId);
    if (action === 'hold' && item.queue_name === 'hold') {
      throw new MailNodeError(MailNodeErrorCode.QueueItemState, 'Already on hold', `Queue item ${queueId} is already in the hold queue.`);
    }
    if (action === 'release' && item.queue_name !== 'hold') {
      throw new MailNodeError(
        MailNodeErrorCode.QueueItemState,
        'Not on hold',
        `Queue item ${queueId} is in the ${item.queue_name} queue, not on hold: there is nothing to release.`,
      );
    }
    const count = await mailstackCall(() => this.queue.postsuper(action, queueId));
    // postsuper exits 0 whether or not it found the message: its count is the truth (the message may have left meanwhile).
    if (count === 0) throw notQueued(queueId);
    return { message: `queue item ${queueId} ${ACTION_DONE[action]}`, queue_id: queueId, action };
  }

  async delete(ctx: CallerContext, queueId: string): Promise<QueueActionResultDto> {
    requirePlatformMailNodeCaller(ctx, WHAT);
    this.checkId(queueId);
    const count = await mailstackCall(() => this.queue.postsuper('delete', queueId));
    if (count === 0) throw notQueued(queueId);
    return { message: `queue item ${queueId} deleted`, queue_id: queueId, action: 'delete' };
  }

  async flush(ctx: CallerContext): Promise<QueueFlushResultDto> {
    requirePlatformMailNodeCaller(ctx, WHAT);
    const queued = (await mailstackCall(() => this.queue.list())).length;
    await mailstackCall(() => this.queue.flush());
    return { message: `queue flush requested: ${queued} message${queued === 1 ? '' : 's'} queued for immediate delivery`, queued };
  }

  async clear(ctx: CallerContext, confirm: boolean): Promise<QueueClearResultDto> {
    requirePlatformMailNodeCaller(ctx, WHAT);
    if (confirm !== true) {
      throw new MailNodeError(
        MailNodeErrorCode.ConfirmationRequired,
        'Validation failed',
        'Deleting every queued message cannot be undone: repeat the request with ?confirm=true.',
        [{ field: 'confirm', message: 'confirm must be true to delete the whole queue' }],
      );
    }
    const deleted = await mailstackCall(() => this.queue.deleteAll());
    return { message: `queue cleared: ${deleted} message${deleted === 1 ? '' : 's'} deleted`, deleted };
  }

  private checkId(queueId: string): void {
    if (!isValidQueueId(queueId)) {
      throw new MailNodeError(MailNodeErrorCode.InvalidQueueId, 'Validation failed', 'The queue ID is not a valid Postfix queue ID.', [
        { field: 'queueId', message: `queueId must be ${QUEUE_ID_RULE}` },
      ]);
    }
  }
}

function notQueued(queueId: string): MailNodeError {
  return new MailNodeError(MailNodeErrorCode.QueueItemNotFound, 'Queue item not found', `No message with queue ID ${queueId} is in the Postfix queue.`);
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

function toDto(m: QueuedMessage): QueueItemDto {
  return { ...m, queue_name: m.queue_name as QueueItemDto['queue_name'] };
}
