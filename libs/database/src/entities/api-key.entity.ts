import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  /** Public part of `mp_<key_id>_<secret>`. */
  @Column({ type: 'text' }) key_id: string;
  /** Hex SHA-256 of the secret part; the secret itself is never stored. */
  @Column({ type: 'text', select: false }) secret_sha256: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'uuid' }) account_id: string;
  @Column({ type: 'uuid' }) tenant_id: string;
  @Column({ type: 'text', array: true }) scopes: string[];
  @Column({ type: 'text', array: true, nullable: true }) domain_allowlist: string[] | null;
  @Column({ type: 'timestamptz', nullable: true }) expires_at: Date | null;
  @Column({ type: 'timestamptz', nullable: true }) last_used_at: Date | null;
  @Column({ type: 'text', nullable: true }) last_used_ip: string | null;
  @Column({ type: 'timestamptz', nullable: true }) revoked_at: Date | null;
  /** The key that minted this one (null when an account created it). */
  @Column({ type: 'uuid', nullable: true }) created_by_key_id: string | null;
  /** Requests per minute; null = the tenant's limit, else RATE_LIMIT_PER_MIN. */
  @Column({ type: 'integer', nullable: true }) rate_limit_per_min: number | null;
  @CreateDateColumn({ type: 'timestamptz' }) created_at: Date;
}
