import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsDefined, IsObject, IsOptional, IsString, IsUUID, MaxLength, ValidateIf, ValidateNested } from 'class-validator';

/** Must be present; `null` is a meaningful value (no restriction), `undefined` is a caller bug. */
const NullOr = (field: string) => ValidateIf((o: Record<string, unknown>) => o[field] !== null);

/**
 * Who is asking, as the gateway resolved it. Sent with every RPC so services scope their queries;
 * services trust the gateway for identity but still validate shape.
 */
export class CallerContext {
  /** null: platform admin, every tenant is visible. */
  @NullOr('tenant_id') @IsUUID() tenant_id: string | null;
  /** null: no restriction; otherwise the only domain names this caller may see. */
  @NullOr('domain_allowlist') @IsArray() @IsString({ each: true }) domain_allowlist: string[] | null;
  /** The tenant new objects go to when the caller does not name one. */
  @NullOr('home_tenant_id') @IsUUID() home_tenant_id: string | null;
  @IsOptional() @IsString() @MaxLength(128) request_id?: string;
  /** The API key or account acting (what jobs record as created_by and a restricted caller is limited to). */
  @IsOptional() @IsUUID() actor_id?: string;
}

/** Base of every RPC envelope: the caller's context, validated by the service too. */
export class WithCaller {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CallerContext)
  ctx: CallerContext;
}
