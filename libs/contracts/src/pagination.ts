import { ApiProperty } from '@nestjs/swagger';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;
/** Keeps OFFSET well inside bigint; nobody pages a million pages deep (use search/filters). */
export const MAX_PAGE = 1_000_000;

export class ListMetaDto {
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 50 }) limit: number;
  @ApiProperty({ example: 123 }) total: number;
}

export interface Paginated<T> {
  data: T[];
  meta: ListMetaDto;
}

export type SortOrder = 'asc' | 'desc';
