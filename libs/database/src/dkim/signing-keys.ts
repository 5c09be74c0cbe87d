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
 * The key that signs for each active domain whose effective `dkim_enabled` is true: its OLDEST. A
 * rotation adds a key that is only published: receivers cannot verify a selector before its TXT
 * record is in DNS, so the current key keeps signing until it is deleted, and then the next-oldest
 * (the rotated-in key) takes over. Only RSA keys sign: OpenDKIM 2.11
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
      WHERE d.active
        AND k.algorithm <> 'ed25519'
        AND COALESCE((o.settings ->> 'dkim_enabled')::boolean, (dd.settings ->> 'dkim_enabled')::boolean, true)
      ORDER BY k.domain_id, k.created_at, k.id`,
  );
}
