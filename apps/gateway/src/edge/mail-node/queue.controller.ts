import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '#common';
import { NatsRpcClient } from '#common';
import {
  ClearQueueQueryDto,
  EmptyBodyDto,
  ListQueueItemsQueryDto,
  NodeSubjects,
  QueueActionResultDto,
  QueueClearResultDto,
  QueueFlushResultDto,
  QueueItemDetailDto,
  QueueItemListDto,
  QueueSummaryDto,
  type ClearQueueRpc,
  type ListQueueItemsRpc,
  type QueueItemAction,
  type QueueItemActionRpc,
  type QueueItemRpc,
  type WithCaller,
} from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { InjectConfig } from '../../shared/app-config.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { NO_MAILSTACK, PLATFORM, requireEmptyBody, subjectFor } from '../../shared/node-rpc.js';
import { AuditObject } from '../../identity/audit/audit-object.decorator.js';

const QUEUE_ID_PARAM = {
  name: 'queueId',
  description: 'Postfix queue ID: upper-case hex (short IDs) or the long-ID alphabet (enable_long_queue_ids); anything else is 400',
  example: '4F2A81C0D3',
};

/** HTTP ↔ queue-service (of this gateway's mail node) over NATS: the Postfix queue. */
@ApiTags('queue')
@ApiErrors(503, 504)
@Controller()
export class QueueController {
  private readonly subject: ReturnType<typeof subjectFor>;

  constructor(
    private readonly rpc: NatsRpcClient,
    @InjectConfig() config: AppConfig,
  ) {
    this.subject = subjectFor(config.MAIL_NODE_ID);
  }

  @Get('queue')
  @Authenticated({ scope: 'queue:read' })
  @ApiOperation({
    summary: 'Count queued messages',
    description: `${PLATFORM} Messages per Postfix queue (active, deferred, hold, incoming, maildrop) and the total, from \`postqueue -j\`. ${NO_MAILSTACK}`,
  })
  @ApiOkResponse({ type: QueueSummaryDto })
  @ApiErrors(403)
  summary(@CurrentPrincipal() p: Principal, @RequestId() rid: string): Promise<QueueSummaryDto> {
    const msg: WithCaller = { ctx: callerContext(p, rid) };
    return this.rpc.send(this.subject(NodeSubjects.QueueSummary), msg, rid);
  }

  @Get('queue/items')
  @Authenticated({ scope: 'queue:read' })
  @ApiOperation({
    summary: 'List queued messages',
    description: `${PLATFORM} Filters: queue, sender and recipient (case-insensitive substrings). Sorted by arrival_time unless \`sort\` says otherwise. ${NO_MAILSTACK}`,
  })
  @ApiOkResponse({ type: QueueItemListDto })
  @ApiErrors(400, 403)
  list(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Query() query: ListQueueItemsQueryDto): Promise<QueueItemListDto> {
    const msg: ListQueueItemsRpc = { ctx: callerContext(p, rid), query };
    return this.rpc.send(this.subject(NodeSubjects.QueueList), msg, rid);
  }

  @Get('queue/items/:queueId')
  @Authenticated({ scope: 'queue:read' })
  @ApiOperation({
    summary: 'Get one queued message',
    description: `${PLATFORM} Envelope, recipients with their delay reasons, and the message headers (\`postcat -h\`). 404 when it is not queued. ${NO_MAILSTACK}`,
  })
  @ApiParam(QUEUE_ID_PARAM)
  @ApiOkResponse({ type: QueueItemDetailDto })
  @ApiErrors(400, 403, 404)
  get(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('queueId') queueId: string): Promise<QueueItemDetailDto> {
    const msg: QueueItemRpc = { ctx: callerContext(p, rid), queue_id: queueId };
    return this.rpc.send(this.subject(NodeSubjects.QueueGet), msg, rid);
  }

  @Post('queue/flush')
  @HttpCode(200)
  @Authenticated({ scope: 'queue:write' })
  @ApiOperation({
    summary: 'Flush the queue',
    description: `${PLATFORM} \`postqueue -f\`: every deferred message is retried now. Send \`{}\`. 503 when Postfix is stopped. ${NO_MAILSTACK}`,
  })
  @ApiBody({ type: EmptyBodyDto })
  @ApiOkResponse({ type: QueueFlushResultDto })
  @ApiErrors(400, 403, 415)
  flush(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Body() body: unknown): Promise<QueueFlushResultDto> {
    requireEmptyBody(body);
    const msg: WithCaller = { ctx: callerContext(p, rid) };
    return this.rpc.send(this.subject(NodeSubjects.QueueFlush), msg, rid);
  }

  @Post('queue/items/:queueId/hold')
  @AuditObject((c: QueueController, a) => c.get(a.principal, a.requestId, a.params.queueId))
  @HttpCode(200)
  @Authenticated({ scope: 'queue:write' })
  @ApiOperation({
    summary: 'Put a message on hold',
    description: `${PLATFORM} \`postsuper -h\`. 404 when it is not queued, 409 when it already is on hold. Send \`{}\`. ${NO_MAILSTACK}`,
  })
  @ApiParam(QUEUE_ID_PARAM)
  @ApiBody({ type: EmptyBodyDto })
  @ApiOkResponse({ type: QueueActionResultDto })
  @ApiErrors(400, 403, 404, 409, 415)
  hold(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('queueId') queueId: string, @Body() body: unknown): Promise<QueueActionResultDto> {
    return this.act(p, rid, queueId, 'hold', body);
  }

  @Post('queue/items/:queueId/release')
  @AuditObject((c: QueueController, a) => c.get(a.principal, a.requestId, a.params.queueId))
  @HttpCode(200)
  @Authenticated({ scope: 'queue:write' })
  @ApiOperation({
    summary: 'Release a held message',
    description: `${PLATFORM} \`postsuper -H\`. 404 when it is not queued, 409 when it is not on hold. Send \`{}\`. ${NO_MAILSTACK}`,
  })
  @ApiParam(QUEUE_ID_PARAM)
  @ApiBody({ type: EmptyBodyDto })
  @ApiOkResponse({ type: QueueActionResultDto, example: { message: 'queue item 4F2A81C0D3 released from hold', queue_id: '4F2A81C0D3', action: 'release' } })
  @ApiErrors(400, 403, 404, 409, 415)
  release(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('queueId') queueId: string, @Body() body: unknown): Promise<QueueActionResultDto> {
    return this.act(p, rid, queueId, 'release', body);
  }

  @Post('queue/items/:queueId/requeue')
  @AuditObject((c: QueueController, a) => c.get(a.principal, a.requestId, a.params.queueId))
  @HttpCode(200)
  @Authenticated({ scope: 'queue:write' })
  @ApiOperation({
    summary: 'Requeue a message',
    description: `${PLATFORM} \`postsuper -r\`: the message goes through cleanup again (new routing and address rewriting apply). 404 when it is not queued. Send \`{}\`. ${NO_MAILSTACK}`,
  })
  @ApiParam(QUEUE_ID_PARAM)
  @ApiBody({ type: EmptyBodyDto })
  @ApiOkResponse({ type: QueueActionResultDto, example: { message: 'queue item 4F2A81C0D3 requeued', queue_id: '4F2A81C0D3', action: 'requeue' } })
  @ApiErrors(400, 403, 404, 415)
  requeue(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('queueId') queueId: string, @Body() body: unknown): Promise<QueueActionResultDto> {
    return this.act(p, rid, queueId, 'requeue', body);
  }

  @Delete('queue/items/:queueId')
  @AuditObject((c: QueueController, a) => c.get(a.principal, a.requestId, a.params.queueId))
  @Authenticated({ scope: 'queue:write' })
  @ApiOperation({
    summary: 'Delete a queued message',
    description: `${PLATFORM} \`postsuper -d\`; 404 when postsuper deleted nothing (not queued). ${NO_MAILSTACK}`,
  })
  @ApiParam(QUEUE_ID_PARAM)
  @ApiOkResponse({ type: QueueActionResultDto, example: { message: 'queue item 4F2A81C0D3 deleted', queue_id: '4F2A81C0D3', action: 'delete' } })
  @ApiErrors(400, 403, 404)
  delete(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('queueId') queueId: string): Promise<QueueActionResultDto> {
    const msg: QueueItemRpc = { ctx: callerContext(p, rid), queue_id: queueId };
    return this.rpc.send(this.subject(NodeSubjects.QueueDelete), msg, rid);
  }

  @Delete('queue')
  @AuditObject((c: QueueController, a) => c.summary(a.principal, a.requestId))
  @Authenticated({ scope: 'queue:write' })
  @ApiOperation({
    summary: 'Delete every queued message',
    description: `${PLATFORM} \`postsuper -d ALL\`; needs \`?confirm=true\` (else 400, nothing deleted). Returns how many were deleted. ${NO_MAILSTACK}`,
  })
  @ApiOkResponse({ type: QueueClearResultDto })
  @ApiErrors(400, 403)
  clear(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Query() query: ClearQueueQueryDto): Promise<QueueClearResultDto> {
    const msg: ClearQueueRpc = { ctx: callerContext(p, rid), confirm: query.confirm === 'true' };
    return this.rpc.send(this.subject(NodeSubjects.QueueClear), msg, rid);
  }

  private act(p: Principal, rid: string, queueId: string, action: QueueItemAction, body: unknown): Promise<QueueActionResultDto> {
    requireEmptyBody(body);
    const msg: QueueItemActionRpc = { ctx: callerContext(p, rid), queue_id: queueId, action };
    return this.rpc.send(this.subject(NodeSubjects.QueueAction), msg, rid);
  }
}
