import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { MAILSTACK_ROLE, MailstackViews1763800000001 } from '../migrations/1763800000001-MailstackViews.js';

const GiB = 1024 ** 3;

/** The Postfix/Dovecot views and their read-only role, against a freshly migrated database. */
describe('mailstack views (PostgreSQL)', () => {
  let db: TestDatabase;
  let tenant: string;
  const ids: Record<string, string> = {};

  const domain = async (name: string, active = true) =>
    (ids[name] = (
      await db.query<{ id: string }>(`INSERT INTO domains (tenant_id, name, active) VALUES ($1, $2, $3) RETURNING id`, [tenant, name, active])
    )[0].id);
  const mailbox = async (domainName: string, local: string, opts: { active?: boolean; quota?: number | null } = {}) =>
    (ids[`${local}@${domainName}`] = (
      await db.query<{ id: string }>(
        `INSERT INTO mailboxes (tenant_id, domain_id, local_part, address, password_hash, quota_bytes, active)
       VALUES ($1, $2, $3, $4, '{SSHA512}x', $5, $6) RETURNING id`,
        [tenant, ids[domainName], local, `${local}@${domainName}`, opts.quota ?? null, opts.active ?? true],
      )
    )[0].id);
  const alias = (domainName: string, source: string, destinations: string[], active = true) =>
    db.query(`INSERT INTO aliases (tenant_id, domain_id, source, destinations, active) VALUES ($1, $2, $3, $4, $5)`, [
      tenant,
      ids[domainName],
      source,
      destinations,
      active,
    ]);

  before(async () => {
    db = await createTestDatabase('mailstack_views');
    tenant = (await db.query<{ id: string }>(`INSERT INTO tenants (name) VALUES ('t') RETURNING id`))[0].id;
    await domain('on.example');
    await domain('off.example', false);
    await mailbox('on.example', 'alice');
    await mailbox('on.example', 'bob', { quota: 5 * GiB });
    await mailbox('on.example', 'carol', { quota: 0 });
    await mailbox('on.example', 'dave');
    await mailbox('on.example', 'gone', { active: false });
    await mailbox('off.example', 'hidden');
    await alias('on.example', 'team@on.example', ['alice@on.example', 'bob@elsewhere.example']);
    await alias('on.example', '@on.example', ['alice@on.example']);
    await alias('on.example', 'old@on.example', ['alice@on.example'], false);
    await alias('off.example', 'x@off.example', ['alice@on.example']);
  });
  after(async () => {
    await db?.drop();
  });

  it('lists active domains, mailboxes (maildir) and transport only', async () => {
    assert.deepEqual(await db.query(`SELECT domain FROM mailstack.virtual_domains`), [{ domain: 'on.example' }]);
    assert.deepEqual(await db.query(`SELECT domain, transport FROM mailstack.transport`), [
      { domain: 'on.example', transport: 'lmtp:unix:private/dovecot-lmtp' },
    ]);
    assert.deepEqual(await db.query(`SELECT address, domain, maildir FROM mailstack.virtual_mailboxes ORDER BY address`), [
      { address: 'alice@on.example', domain: 'on.example', maildir: 'on.example/alice/' },
      { address: 'bob@on.example', domain: 'on.example', maildir: 'on.example/bob/' },
      { address: 'carol@on.example', domain: 'on.example', maildir: 'on.example/carol/' },
      { address: 'dave@on.example', domain: 'on.example', maildir: 'on.example/dave/' },
    ]);
  });

  it('has one alias row per destination, the catch-all included, none for inactive aliases or domains', async () => {
    assert.deepEqual(await db.query(`SELECT source, destination FROM mailstack.virtual_aliases WHERE source <> destination ORDER BY source, destination`), [
      { source: '@on.example', destination: 'alice@on.example' },
      { source: 'team@on.example', destination: 'alice@on.example' },
      { source: 'team@on.example', destination: 'bob@elsewhere.example' },
    ]);
  });

  it('maps every active mailbox to itself, so a catch-all never swallows mail for an existing mailbox', async () => {
    // Postfix tries user@domain before @domain in virtual_alias_maps.
    const self = await db.query<{ source: string }>(`SELECT source FROM mailstack.virtual_aliases WHERE source = destination ORDER BY source`);
    assert.deepEqual(
      self.map((r) => r.source),
      ['alice@on.example', 'bob@on.example', 'carol@on.example', 'dave@on.example'],
    );
    const views = await db.query<{ relname: string; reloptions: string[] | null }>(
      `SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'mailstack' AND c.relkind = 'v'`,
    );
    assert.equal(views.length, 9);
    for (const v of views) assert.ok(v.reloptions?.includes('security_barrier=true'), `${v.relname} is a security barrier`);
  });

  it('gives Dovecot users with quota rules and protocols from the tiers', async () => {
    const users = async () =>
      Object.fromEntries(
        (await db.query<Record<string, unknown>>(`SELECT * FROM mailstack.users ORDER BY username`)).map((u) => [u.username as string, u] as const),
      );
    let u = await users();
    assert.deepEqual(Object.keys(u), ['alice@on.example', 'bob@on.example', 'carol@on.example', 'dave@on.example']);
    assert.deepEqual(u['alice@on.example'], {
      username: 'alice@on.example',
      domain: 'on.example',
      password: '{SSHA512}x',
      home: '/var/vmail/on.example/alice',
      maildir: 'on.example/alice/',
      quota_rule: `*:bytes=${GiB}`,
      enabled_imap: true,
      enabled_pop3: true,
      enabled_smtp: true,
      vacation: '0',
      vacation_message: null,
      spam_threshold: 500,
      spam_action: 'junk',
      auto_junk_threshold: 1000,
    });
    assert.equal(u['bob@on.example'].quota_rule, `*:bytes=${5 * GiB}`);
    assert.equal(u['carol@on.example'].quota_rule, null, '0 = unlimited');

    await db.query(`UPDATE mailbox_defaults SET settings = '{"quota_bytes": 2147483648, "enabled_pop3": false}'`);
    await db.query(
      `INSERT INTO mailbox_overrides (mailbox_id, settings) VALUES ($1, '{"quota_bytes": 3221225472, "enabled_imap": false, "enabled_pop3": true}')`,
      [ids['dave@on.example']],
    );
    await db.query(`INSERT INTO mailbox_overrides (mailbox_id, settings) VALUES ($1, '{"quota_bytes": 0, "enabled_smtp": false, "enabled_imap": null}')`, [
      ids['alice@on.example'],
    ]);
    // An override is narrower than the mailbox row's quota_bytes.
    await db.query(`INSERT INTO mailbox_overrides (mailbox_id, settings) VALUES ($1, '{"quota_bytes": 4294967296}')`, [ids['bob@on.example']]);
    u = await users();
    assert.deepEqual(
      Object.values(u).map((x) => [x.username, x.quota_rule, x.enabled_imap, x.enabled_pop3, x.enabled_smtp]),
      [
        ['alice@on.example', null, true, false, false],
        ['bob@on.example', `*:bytes=${4 * GiB}`, true, false, true],
        ['carol@on.example', null, true, false, true],
        ['dave@on.example', `*:bytes=${3 * GiB}`, false, true, true],
      ],
    );
    await db.query(`UPDATE mailbox_defaults SET settings = '{}'`);
    await db.query(`DELETE FROM mailbox_overrides`);
  });

  it('forwards, vacation and require-TLS maps follow the tiers (overrides, then defaults)', async () => {
    const fwd = async (src: string) =>
      (await db.query<{ destination: string }>(`SELECT destination FROM mailstack.virtual_aliases WHERE source = $1 ORDER BY 1`, [src])).map(
        (r) => r.destination,
      );
    await db.query(
      `INSERT INTO mailbox_overrides (mailbox_id, settings) VALUES ($1, '{"forward_to": ["x@far.example", "y@far.example"], "forward_keep_copy": false, "vacation_enabled": true, "vacation_message": "away", "require_tls_client": true}')`,
      [ids['alice@on.example']],
    );
    await db.query(`INSERT INTO mailbox_overrides (mailbox_id, settings) VALUES ($1, '{"forward_to": ["x@far.example"]}')`, [ids['bob@on.example']]);
    await db.query(`UPDATE mailbox_defaults SET settings = '{"vacation_enabled": true}'`);
    try {
      assert.deepEqual(await fwd('alice@on.example'), ['x@far.example', 'y@far.example'], 'no copy kept');
      assert.deepEqual(await fwd('bob@on.example'), ['bob@on.example', 'x@far.example'], 'keep_copy defaults to true');
      assert.deepEqual(await fwd('carol@on.example'), ['carol@on.example'], 'no forward: itself only');
      const users = await db.query<{ username: string; vacation: string; vacation_message: string | null }>(
        `SELECT username, vacation, vacation_message FROM mailstack.users WHERE username IN ('alice@on.example', 'carol@on.example') ORDER BY 1`,
      );
      assert.deepEqual(
        users.map((u) => [u.username, u.vacation, u.vacation_message]),
        [
          ['alice@on.example', '1', 'away'],
          ['carol@on.example', '1', null],
        ],
      );
      assert.deepEqual(await db.query(`SELECT username FROM mailstack.require_tls_client`), [{ username: 'alice@on.example' }]);

      // Spam fields (centi-points): the mailbox's overrides, then the domain's overrides, then the mailbox defaults.
      await db.query(`UPDATE mailbox_overrides SET settings = settings || '{"spam_threshold": 6.5, "spam_action": "junk"}' WHERE mailbox_id = $1`, [
        ids['alice@on.example'],
      ]);
      await db.query(
        `INSERT INTO domain_overrides (domain_id, settings) SELECT id, '{"spam_action": "tag", "spam_threshold": 4}' FROM domains WHERE name = 'on.example'`,
      );
      await db.query(`UPDATE mailbox_defaults SET settings = '{"vacation_enabled": true, "auto_junk_threshold": 12, "spam_threshold": 9}'`);
      const spam = await db.query<{ username: string; spam_threshold: number; spam_action: string; auto_junk_threshold: number }>(
        `SELECT username, spam_threshold, spam_action, auto_junk_threshold FROM mailstack.users WHERE username IN ('alice@on.example', 'carol@on.example') ORDER BY 1`,
      );
      assert.deepEqual(
        spam.map((u) => [u.username, u.spam_threshold, u.spam_action, u.auto_junk_threshold]),
        [
          ['alice@on.example', 650, 'junk', 1200],
          ['carol@on.example', 400, 'tag', 1200],
        ],
      );
      assert.deepEqual(await db.query(`SELECT domain FROM mailstack.require_tls_inbound`), []);
      await db.query(`UPDATE domain_defaults SET settings = '{"require_tls_inbound": true}'`);
      assert.deepEqual(
        (await db.query<{ domain: string }>(`SELECT domain FROM mailstack.require_tls_inbound`)).map((r) => r.domain).includes('on.example'),
        true,
      );
    } finally {
      await db.query(`DELETE FROM mailbox_overrides`);
      await db.query(`DELETE FROM domain_overrides`);
      await db.query(`UPDATE mailbox_defaults SET settings = '{}'`);
      await db.query(`UPDATE domain_defaults SET settings = '{}'`);
    }
  });

  it('sending and size limits for the policy service follow the tiers, capped by the global message_size_limit', async () => {
    const limits = async () =>
      (
        await db.query<{ username: string; max_send_per_day: number; max_recipients_per_message: number; message_size_limit: string }>(
          `SELECT * FROM mailstack.sending_limits WHERE username IN ('alice@on.example', 'bob@on.example') ORDER BY 1`,
        )
      ).map((r) => [r.username, r.max_send_per_day, r.max_recipients_per_message, Number(r.message_size_limit)]);
    const domainLimit = async () =>
      Number(
        (await db.query<{ message_size_limit: string }>(`SELECT message_size_limit FROM mailstack.domain_limits WHERE domain = 'on.example'`))[0]
          .message_size_limit,
      );
    assert.deepEqual(await limits(), [
      ['alice@on.example', 1000, 100, 26214400],
      ['bob@on.example', 1000, 100, 26214400],
    ]);
    assert.equal(await domainLimit(), 26214400);
    await db.query(`UPDATE mailbox_defaults SET settings = '{"max_send_per_day": 50, "message_size_limit": 2000000}'`);
    await db.query(`INSERT INTO mailbox_overrides (mailbox_id, settings) VALUES ($1, '{"max_send_per_day": 5, "max_recipients_per_message": 2}')`, [
      ids['alice@on.example'],
    ]);
    await db.query(`INSERT INTO domain_overrides (domain_id, settings) SELECT id, '{"message_size_limit": 1000000}' FROM domains WHERE name = 'on.example'`);
    await db.query(`UPDATE domain_defaults SET settings = '{"message_size_limit": 3000000}'`);
    try {
      assert.deepEqual(await limits(), [
        ['alice@on.example', 5, 2, 1000000],
        ['bob@on.example', 50, 100, 1000000],
      ]);
      assert.equal(await domainLimit(), 1000000);
      await db.query(`UPDATE global_config SET settings = '{"message_size_limit": 500000}'`);
      assert.deepEqual(
        (await limits()).map((r) => r[3]),
        [500000, 500000],
        'never above the global cap',
      );
      assert.equal(await domainLimit(), 500000);
    } finally {
      await db.query(`DELETE FROM mailbox_overrides`);
      await db.query(`DELETE FROM domain_overrides`);
      await db.query(`UPDATE mailbox_defaults SET settings = '{}'`);
      await db.query(`UPDATE domain_defaults SET settings = '{}'`);
      await db.query(`UPDATE global_config SET settings = '{}'`);
    }
  });

  it('deactivating a domain empties every view of it', async () => {
    await db.query(`UPDATE domains SET active = false WHERE name = 'on.example'`);
    try {
      for (const v of [
        'virtual_domains',
        'virtual_mailboxes',
        'virtual_aliases',
        'transport',
        'users',
        'require_tls_inbound',
        'require_tls_client',
        'sending_limits',
        'domain_limits',
      ]) {
        assert.deepEqual(await db.query(`SELECT * FROM mailstack.${v}`), [], v);
      }
    } finally {
      await db.query(`UPDATE domains SET active = true WHERE name = 'on.example'`);
    }
  });

  it(`${MAILSTACK_ROLE} reads the views and nothing else`, async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    // scripts/mailstack.sh makes the app role a member (so test databases the daemons used can be
    // dropped): keep that membership if it was there.
    const { rows } = await c.query<{ member: boolean }>(`SELECT pg_has_role(CURRENT_USER, '${MAILSTACK_ROLE}', 'MEMBER') AS member`);
    const wasMember = rows[0].member;
    try {
      // The test connects as the migrating role; it may take the role (CREATEROLE) to act as it.
      if (!wasMember) await c.query(`GRANT ${MAILSTACK_ROLE} TO CURRENT_USER`);
      await c.query(`SET ROLE ${MAILSTACK_ROLE}`);
      for (const v of ['virtual_domains', 'virtual_mailboxes', 'virtual_aliases', 'transport', 'users', 'sending_limits', 'domain_limits']) {
        assert.ok((await c.query(`SELECT * FROM mailstack.${v}`)).rows.length > 0, v);
      }
      for (const t of ['mailboxes', 'domains', 'accounts', 'api_keys', 'mail_addresses', 'mailbox_defaults']) {
        await assert.rejects(c.query(`SELECT * FROM ${t}`), /permission denied/, t);
      }
      await assert.rejects(c.query(`INSERT INTO mailstack.virtual_domains (domain) VALUES ('x.example')`), /permission denied/);
    } finally {
      await c.query('RESET ROLE').catch(() => undefined);
      if (!wasMember) await c.query(`REVOKE ${MAILSTACK_ROLE} FROM CURRENT_USER`).catch(() => undefined);
      await c.end();
    }
  });

  it('re-running the migration body against an existing role is harmless (roles are cluster-wide)', async () => {
    const other = await createTestDatabase('mailstack_views_again');
    try {
      assert.deepEqual(await other.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1`, [MAILSTACK_ROLE]), [{ n: 1 }]);
      assert.equal(new MailstackViews1763800000001().name, 'MailstackViews1763800000001');
    } finally {
      await other.drop();
    }
  });
});
