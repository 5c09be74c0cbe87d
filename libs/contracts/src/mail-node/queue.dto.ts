import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { WithCaller } from '../caller-context.js';
import { ListMetaDto, PageQueryDto } from '../pagination.js';

/** The Postfix queues `postqueue -j` reports (queue_name). */
export const POSTFIX_QUEUES = ['active', 'deferred', 'hold', 'incoming', 'maildrop'] as const;
export type PostfixQueueName = (typeof POSTFIX_QUEUES)[number];

export const QUEUE_SORT_FIELDS = ['arrival_time', 'message_size', 'sender', 'queue_name'] as const;
export type QueueSortField = (typeof QUEUE_SORT_FIELDS)[number];

export const QUEUE_ITEM_ACTIONS = ['hold', 'release', 'requeue'] as const;
export type QueueItemAction = (typeof QUEUE_ITEM_ACTIONS)[number];

const QUEUE_ID_EXAMPLE = '4F2A81C0D3';

export class QueueCountsDto {
  @ApiProperty({ example: 0 }) active: number;
  @ApiProperty({ example: 3 }) deferred: number;
  @ApiProperty({ example: 1 }) hold: number;
  @ApiProperty({ example: 0 }) incoming: number;
  @ApiProperty({ example: 0 }) maildrop: number;
}

export class QueueSummaryDto {
  @ApiProperty({ description: 'Mail node (MAIL_NODE_ID) whose queue this is', example: 'default' }) node: string;
  @ApiProperty({ description: 'Messages in all queues', example: 4 }) total: number;
  @ApiProperty({ type: QueueCountsDto }) queues: QueueCountsDto;
}

export class QueueRecipientDto {
  @ApiProperty({ example: 'bob@example.net' }) address: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Why delivery was deferred (null while not yet tried)',
    example: 'connect to 127.0.0.1[127.0.0.1]:9: Connection refused',
  })
  delay_reason: string | null;
}

export class QueueItemDto {
  @ApiProperty({ example: QUEUE_ID_EXAMPLE }) queue_id: string;
  @ApiProperty({ enum: POSTFIX_QUEUES, example: 'deferred' }) queue_name: PostfixQueueName;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T07:30:00.000Z' }) arrival_time: string;
  @ApiProperty({ description: 'Bytes', example: 1534 }) message_size: number;
  @ApiProperty({ description: 'Envelope sender ("" for bounces)', example: 'alice@example.com' }) sender: string;
  @ApiProperty({ type: [QueueRecipientDto] }) recipients: QueueRecipientDto[];
  @ApiProperty({ description: 'Marked for expiry by `postsuper -e`', example: false }) forced_expire: boolean;
}

export class QueueHeaderDto {
  @ApiProperty({ example: 'Subject' }) name: string;
  @ApiProperty({ example: 'Quarterly report' }) value: string;
}

export class QueueItemDetailDto extends QueueItemDto {
  @ApiProperty({ type: [QueueHeaderDto], nullable: true, description: 'Message headers (from `postcat -h`); null when they could not be read' })
  headers: QueueHeaderDto[] | null;
}

export class QueueItemListDto {
  @ApiProperty({ type: [QueueItemDto] }) data: QueueItemDto[];
  @ApiProperty({ type: ListMetaDto }) meta: ListMetaDto;
}

export class ListQueueItemsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: POSTFIX_QUEUES, description: 'Only messages in this queue' })
  @IsOptional()
  @IsIn(POSTFIX_QUEUES, { message: `queue must be one of: ${POSTFIX_QUEUES.join(', ')}` })
  queue?: PostfixQueueName;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the envelope sender', example: 'example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  sender?: string;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of any recipient', example: 'bob@' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  recipient?: string;

  @ApiPropertyOptional({ enum: QUEUE_SORT_FIELDS, default: 'arrival_time' })
  @IsOptional()
  @IsIn(QUEUE_SORT_FIELDS, { message: `sort must be one of: ${QUEUE_SORT_FIELDS.join(', ')}` })
  sort?: QueueSortField;
}

export class QueueActionResultDto {
  @ApiProperty({ example: 'queue item 4F2A81C0D3 placed on hold' }) message: string;
  @ApiProperty({ example: QUEUE_ID_EXAMPLE }) queue_id: string;
  @ApiProperty({ enum: [...QUEUE_ITEM_ACTIONS, 'delete'], example: 'hold' }) action: QueueItemAction | 'delete';
}

export class QueueFlushResultDto {
  @ApiProperty({ example: 'queue flush requested: 3 messages queued for immediate delivery' }) message: string;
  @ApiProperty({ description: 'Messages in the queue when the flush was requested', example: 3 }) queued: number;
}

export class QueueClearResultDto {
  @ApiProperty({ example: 'queue cleared: 12 messages deleted' }) message: string;
  @ApiProperty({ example: 12 }) deleted: number;
}

/** The body of the POST action routes (none of them takes parameters: send `{}`). */
export class EmptyBodyDto {}

export class ClearQueueQueryDto {
  @ApiPropertyOptional({ description: 'Must be `true`: deleting every queued message cannot be undone', example: 'true' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  confirm?: string;
}

/* RPC envelopes. */

export class ListQueueItemsRpc extends WithCaller {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ListQueueItemsQueryDto)
  query: ListQueueItemsQueryDto;
}

export class QueueItemRpc extends WithCaller {
  @IsDefined()
  @IsString()
  @MaxLength(1024)
  queue_id: string;
}

export class QueueItemActionRpc extends QueueItemRpc {
  @IsDefined()
  @IsIn(QUEUE_ITEM_ACTIONS)
  action: QueueItemAction;
}

export class ClearQueueRpc extends WithCaller {
  @IsDefined()
  @IsBoolean()
  confirm: boolean;
}
