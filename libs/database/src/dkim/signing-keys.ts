import type { DataSource } from 'typeorm';

export interface DkimSigningKey {
  domain: string;
  selector: string;
  algorithm: 'rsa-2048' | 'rsa-1024' | 'ed25519';
  /** Sealed (SecretBox) with the key id as associated data; the caller opens it. */
  private_key_enc: string;
  id: string;
}

/**
 * "The mail stack serves domain `d`": the domain is active and so is its tenant (a suspended tenant's
 * domains leave the mailstack views the same way). The one definition for what OpenDKIM signs for:
 * loadDkimSigningKeys and dkim-tls-service's `signing` flag both use it.
 */
export const DOMAIN_SERVED_SQL = `(d.active AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = d.tenant_id AND t.active))`;

/**
 * The key that signs for each served domain (active, of an active tenant) whose effective
 * `dkim_enabled` is true: its OLDEST. A rotation adds a key that is only published: receivers cannot
 * verify a selector before its TXT record is in DNS, so the current key keeps signing until it is
 * deleted, and then the next-oldest (the rotated-in key) takes over. Only RSA keys sign: OpenDKIM 2.11
 * has one global SignatureAlgorithm (rsa-sha256); an Ed25519 key in its KeyTable makes it tempfail
 * the message (451 4.7.0), an RSA key under ed25519-sha256 yields a broken signature. Ed25519 keys
 * stay published. dkim-tls-service's `signing` flag mirrors this query (an e2e test compares them).
 */
export async function loadDkimSigningKeys(ds: DataSource): Promise<DkimSigningKey[]> {
  return ds.query(
    `SELECT DISTINCT ON (k.domain_id) k.id, d.name AS domain, k.selector, k.algorithm, k.private_key_enc
       FROM dkim_keys k
       JOIN domains d ON d.id = k.domain_id
       LEFT JOIN domain_overrides o ON o.domain_id = d.id
       LEFT JOIN domain_defaults dd ON dd.id = 1
      WHERE ${DOMAIN_SERVED_SQL}
        AND k.algorithm <> 'ed25519'
        AND COALESCE((o.settings ->> 'dkim_enabled')::boolean, (dd.settings ->> 'dkim_enabled')::boolean, true)
      ORDER BY k.domain_id, k.created_at, k.id`,
  );
}
