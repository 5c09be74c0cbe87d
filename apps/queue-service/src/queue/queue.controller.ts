import { Controller, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  ClearQueueRpc,
  ListQueueItemsRpc,
  NodeSubjects,
  nodeSubject,
  QueueItemActionRpc,
  QueueItemRpc,
  WithCaller,
  type Paginated,
  type QueueActionResultDto,
  type QueueClearResultDto,
  type QueueFlushResultDto,
  type QueueItemDetailDto,
  type QueueItemDto,
  type QueueSummaryDto,
} from '#contracts';
import { QueueService } from './queue.service.js';

/** The subjects carry this node's id, known only once the config is loaded: the controller class is made per node. */
export function queueController(nodeId: string): Type<unknown> {
  const s = (subject: Parameters<typeof nodeSubject>[1]) => nodeSubject(nodeId, subject);

  @Controller()
  class QueueController {
    constructor(private readonly queue: QueueService) {}

    /** For the gateway's /health (answers whether or not Postfix is installed). */
    @MessagePattern(s(NodeSubjects.QueuePing))
    ping(): { service: string; node: string } {
      return { service: 'queue-service', node: nodeId };
    }

    @MessagePattern(s(NodeSubjects.QueueSummary))
    summary(@Payload() msg: WithCaller): Promise<QueueSummaryDto> {
      return this.queue.summary(msg.ctx);
    }

    @MessagePattern(s(NodeSubjects.QueueList))
    list(@Payload() msg: ListQueueItemsRpc): Promise<Paginated<QueueItemDto>> {
      return this.queue.list(msg.ctx, msg.query);
    }

    @MessagePattern(s(NodeSubjects.QueueGet))
    get(@Payload() msg: QueueItemRpc): Promise<QueueItemDetailDto> {
      return this.queue.get(msg.ctx, msg.queue_id);
    }

    @MessagePattern(s(NodeSubjects.QueueAction))
    act(@Payload() msg: QueueItemActionRpc): Promise<QueueActionResultDto> {
      return this.queue.act(msg.ctx, msg.queue_id, msg.action);
    }

    @MessagePattern(s(NodeSubjects.QueueDelete))
    delete(@Payload() msg: QueueItemRpc): Promise<QueueActionResultDto> {
      return this.queue.delete(msg.ctx, msg.queue_id);
    }

    @MessagePattern(s(NodeSubjects.QueueFlush))
    flush(@Payload() msg: WithCaller): Promise<QueueFlushResultDto> {
      return this.queue.flush(msg.ctx);
    }

    @MessagePattern(s(NodeSubjects.QueueClear))
    clear(@Payload() msg: ClearQueueRpc): Promise<QueueClearResultDto> {
      return this.queue.clear(msg.ctx, msg.confirm);
    }
  }
  return QueueController;
}
