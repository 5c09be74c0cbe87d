import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig, SecretBox } from '#common';
import { effectiveGlobal } from '#contracts';
import { createDataSource } from '#database';
import { createTestDatabase, type TestDatabase } from '../../../../test/helpers/database.js';
import { loadAntispamInput } from './antispam-input.js';
import { buildReconcileInput, mailstackDatabase } from './reconcile-input.js';

/** What the worker hands reconcileMailstack, read from a real PostgreSQL. */
describe('reconcile input', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const secret = randomBytes(32).toString('base64');
  const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  let suspendedTenant: string;

  before(async () => {
    db = await createTestDatabase('reconcile_input');
    ds = createDataSource({ url: db.url, poolSize: 2 });
    await ds.initialize();
    const [{ id: tenant }] = await db.query<{ id: string }>(`INSERT INTO tenants (name) VALUES ('t') RETURNING id`);
    const [{ id: on }] = await db.query<{ id: string }>(`INSERT INTO domains (tenant_id, name) VALUES ($1, 'signed.example') RETURNING id`, [tenant]);
    await db.query(`INSERT INTO domains (tenant_id, name, active) VALUES ($1, 'inactive.example', false)`, [tenant]);
    const keyId = randomUUID();
    await db.query(
      `INSERT INTO dkim_keys (id, tenant_id, domain_id, selector, algorithm, public_key, private_key_enc) VALUES ($1, $2, $3, 'mp1', 'rsa-1024', 'pub', $4)`,
      [keyId, tenant, on, new SecretBox(secret).seal(pem, keyId)],
    );
    // An active domain with a signing key, but its tenant is suspended.
    [{ id: suspendedTenant }] = await db.query<{ id: string }>(`INSERT INTO tenants (name, active) VALUES ('off', false) RETURNING id`);
    const [{ id: off }] = await db.query<{ id: string }>(`INSERT INTO domains (tenant_id, name) VALUES ($1, 'suspended.example') RETURNING id`, [
      suspendedTenant,
    ]);
    const offKeyId = randomUUID();
    await db.query(
      `INSERT INTO dkim_keys (id, tenant_id, domain_id, selector, algorithm, public_key, private_key_enc) VALUES ($1, $2, $3, 'mp1', 'rsa-1024', 'pub', $4)`,
      [offKeyId, suspendedTenant, off, new SecretBox(secret).seal(pem, offKeyId)],
    );
    await db.query(`INSERT INTO global_config (id, settings) VALUES (1, $1::jsonb) ON CONFLICT (id) DO UPDATE SET settings = EXCLUDED.settings`, [
      JSON.stringify({ message_size_limit: 2048 }),
    ]);
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('takes the global tier over the defaults, the decrypted signing keys and the read-only role', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://mailplane:secret@db.internal:6543/mailplane', MAILPLANE_SECRET_KEY: secret });
    const { input, warnings } = await buildReconcileInput(ds, config);
    assert.deepEqual(warnings, []);
    assert.equal(input.tls, null);
    assert.deepEqual(input.global, { ...effectiveGlobal({}), message_size_limit: 2048 });
    assert.deepEqual(input.dkimKeys, [{ domain: 'signed.example', selector: 'mp1', privateKeyPem: pem }]);
    assert.deepEqual(input.database, { host: 'db.internal', port: 6543, dbname: 'mailplane', user: 'mailplane_mailstack', password: null });
  });

  it('passes the TLS pair of the global tier; a DNSBL threshold needs no warning (Rspamd weighs the zones)', async () => {
    const settings = { message_size_limit: 2048, tls_cert_file: '/etc/ssl/m.pem', tls_key_file: '/etc/ssl/m.key', dnsbl_enabled: true, dnsbl_threshold: 2 };
    await db.query(`UPDATE global_config SET settings = $1::jsonb WHERE id = 1`, [JSON.stringify(settings)]);
    try {
      const { input, warnings } = await buildReconcileInput(ds, loadConfig({ MAILPLANE_SECRET_KEY: secret }));
      assert.deepEqual(input.tls, { certFile: '/etc/ssl/m.pem', keyFile: '/etc/ssl/m.key' });
      assert.deepEqual(warnings, []);
    } finally {
      await db.query(`UPDATE global_config SET settings = $1::jsonb WHERE id = 1`, [JSON.stringify({ message_size_limit: 2048 })]);
    }
  });

  it('leaves out the keys of a suspended tenant’s domains (OpenDKIM must not sign for them); resuming brings them back', async () => {
    const config = loadConfig({ MAILPLANE_SECRET_KEY: secret });
    assert.deepEqual(
      (await buildReconcileInput(ds, config)).input.dkimKeys.map((k) => k.domain),
      ['signed.example'],
    );
    await db.query(`UPDATE tenants SET active = true WHERE id = $1`, [suspendedTenant]);
    try {
      assert.deepEqual((await buildReconcileInput(ds, config)).input.dkimKeys.map((k) => k.domain).sort(), ['signed.example', 'suspended.example']);
    } finally {
      await db.query(`UPDATE tenants SET active = false WHERE id = $1`, [suspendedTenant]);
    }
  });

  it('uses MAILSTACK_DATABASE_URL as given', () => {
    const config = loadConfig({ MAILSTACK_DATABASE_URL: 'postgresql://reader:p%40ss@127.0.0.1/mail' });
    assert.deepEqual(mailstackDatabase(config), { host: '127.0.0.1', port: 5432, dbname: 'mail', user: 'reader', password: 'p@ss' });
  });

  it('a key that does not open is left out and reported; no secret key fails the job permanently', async () => {
    const { input, warnings } = await buildReconcileInput(ds, loadConfig({ MAILPLANE_SECRET_KEY: randomBytes(32).toString('base64') }));
    assert.deepEqual(input.dkimKeys, []);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /mp1\._domainkey\.signed\.example cannot be decrypted/);
    await assert.rejects(buildReconcileInput(ds, loadConfig({})), /MAILPLANE_SECRET_KEY is not set/);
  });

  it('antispam: per-recipient SMTP-time policy (domains, mailboxes whose own overrides differ, the platform default) and the lists; readable as the mail node role', async () => {
    const [{ id: tenant }] = await db.query<{ id: string }>(`SELECT tenant_id AS id FROM domains WHERE name = 'signed.example'`);
    const [{ id: dom }] = await db.query<{ id: string }>(`SELECT id FROM domains WHERE name = 'signed.example'`);
    await db.query(
      `INSERT INTO domain_overrides (domain_id, settings) VALUES ($1, '{"spam_action": "reject", "spam_threshold": 7, "greylisting_enabled": true}')`,
      [dom],
    );
    const [{ id: mbx }] = await db.query<{ id: string }>(
      `INSERT INTO mailboxes (domain_id, tenant_id, local_part, address, password_hash) VALUES ($1, $2, 'x', 'x@signed.example', '{SSHA512}x') RETURNING id`,
      [dom, tenant],
    );
    await db.query(`INSERT INTO mailbox_overrides (mailbox_id, settings) VALUES ($1, '{"spam_action": "junk"}')`, [mbx]);
    await db.query(`INSERT INTO antispam_entries (list, entry_type, value, domain_id) VALUES ('blacklist', 'email', 'bad@x.example', $1)`, [dom]);
    await db.query(`INSERT INTO antispam_entries (list, entry_type, value) VALUES ('whitelist', 'ip', '192.0.2.1')`);
    try {
      const { input } = await buildReconcileInput(ds, loadConfig({ MAILPLANE_SECRET_KEY: secret }));
      assert.deepEqual(input.antispam?.recipients, [
        { key: '*', rejectAt: null, greylist: false, clamav: 'reject' },
        { key: '@signed.example', rejectAt: 7, greylist: true, clamav: 'reject' },
        { key: 'x@signed.example', rejectAt: null, greylist: true, clamav: 'reject' },
      ]);
      assert.deepEqual(input.antispam?.entries, [
        { list: 'whitelist', entryType: 'ip', value: '192.0.2.1', domain: null },
        { list: 'blacklist', entryType: 'email', value: 'bad@x.example', domain: 'signed.example' },
      ]);
      assert.deepEqual(input.policy, { host: '127.0.0.1', port: 10040 });

      // The mail node's role (MAIL_NODE_DATABASE_URL) may read all of it, but no password hash.
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      // The test connects as the migrating role; it may take the role (CREATEROLE) to act as it.
      const { rows } = await c.query<{ member: boolean }>(`SELECT pg_has_role(CURRENT_USER, 'mailplane_node', 'MEMBER') AS member`);
      if (!rows[0].member) await c.query('GRANT mailplane_node TO CURRENT_USER');
      try {
        await c.query('SET ROLE mailplane_node');
        const asNode = { query: async (sql: string, params?: unknown[]) => (await c.query(sql, params)).rows } as unknown as DataSource;
        assert.deepEqual((await loadAntispamInput(asNode, {})).recipients.length, 3);
        await assert.rejects(c.query('SELECT password_hash FROM mailboxes'), /permission denied/);
        assert.ok((await c.query('SELECT * FROM mailstack.sending_limits')).rows.length > 0);
      } finally {
        await c.query('RESET ROLE').catch(() => undefined);
        if (!rows[0].member) await c.query('REVOKE mailplane_node FROM CURRENT_USER').catch(() => undefined);
        await c.end();
      }
    } finally {
      await db.query(`DELETE FROM antispam_entries`);
      await db.query(`DELETE FROM mailboxes`);
      await db.query(`DELETE FROM domain_overrides`);
    }
  });
});
