import { IsArray, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/**
 * Who is asking, as the gateway resolved it. Sent with every RPC so services scope their queries;
 * services trust the gateway for identity but still validate shape.
 */
export class CallerContext {
  /** null: platform admin, every tenant is visible. */
  @IsOptional() @IsUUID() tenant_id: string | null;
  /** null: no restriction; otherwise the only domain names this caller may see. */
  @IsOptional() @IsArray() @IsString({ each: true }) domain_allowlist: string[] | null;
  /** The tenant new objects go to when the caller does not name one. */
  @IsOptional() @IsUUID() home_tenant_id: string | null;
  @IsOptional() @IsString() @MaxLength(128) request_id?: string;
}
