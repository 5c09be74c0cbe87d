import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError, type ApiResponse } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

type AuditRow = {
  status: number;
  error_code: string | null;
  actor_type: string;
  actor_email: string | null;
  path: string;
  action: string;
  resource_id: string | null;
  changes: Record<string, any> | null;
};

/**
 * Inputs that used to slip past the audit log (NUL and lone surrogates make PostgreSQL refuse the
 * entry), an audit table that refuses writes, and domain names that would be stored as something
 * other than what was sent. Audit entries are written before the response: no polling.
 */
describe('audit log integrity (e2e)', () => {
  let stack: TestStack;
  let a: Awaited<ReturnType<TestStack['tenantAdmin']>>;

  async function auditOf(res: ApiResponse): Promise<AuditRow[]> {
    const requestId = res.headers.get('x-request-id');
    assert.ok(requestId, 'every response names its request');
    return stack.db.query<AuditRow>(
      `SELECT status, error_code, actor_type, actor_email, path, action, resource_id, changes FROM audit_log WHERE request_id = $1`,
      [requestId],
    );
  }
  const count = async (sql: string, params: unknown[] = []) => Number((await stack.db.query<{ n: string }>(sql, params))[0].n);

  before(async () => {
    stack = await TestStack.start('audit_integrity');
    a = await stack.tenantAdmin('integrity-a');
  });
  after(async () => {
    await stack?.stop();
  });

  it('a lone surrogate in a JSON body is refused with 400, nothing is created and the attempt is audited', async () => {
    const res = await stack.api(a.token).post('/api/v1/api-keys', '{"name":"x\\ud800","scopes":["domains:read"]}');
    const body = expectError(res, 400, 'VALIDATION_FAILED');
    assert.equal(body.fields?.[0]?.field, 'name');
    assert.match(body.fields![0].message, /unpaired UTF-16 surrogate/);
    assert.equal(await count(`SELECT count(*) AS n FROM api_keys WHERE name LIKE 'x%'`), 0);
    const [row, ...more] = await auditOf(res);
    assert.equal(more.length, 0);
    assert.equal(row.status, 400);
    assert.equal(row.error_code, 'VALIDATION_FAILED');
    assert.equal(row.action, 'api_keys.create');
    assert.equal(row.actor_type, 'account', 'the guard runs after authentication: the caller is known');
    assert.equal(row.actor_email, a.email);
    assert.equal(row.changes?.name, 'x\uFFFD', 'stored with U+FFFD in place of the surrogate');
  });

  it('a low surrogate alone, a NUL, and a NUL in an object key are refused and audited', async () => {
    for (const raw of [
      '{"name":"\\udc00x","scopes":["domains:read"]}',
      '{"name":"a\\u0000b","scopes":["domains:read"]}',
      '{"name":"k","scopes":["domains:read"],"x\\u0000":1}',
    ]) {
      const res = await stack.api(a.token).post('/api/v1/api-keys', raw);
      expectError(res, 400, 'VALIDATION_FAILED');
      const rows = await auditOf(res);
      assert.equal(rows.length, 1, raw);
      assert.equal(rows[0].status, 400);
    }
  });

  it('a NUL in the query string is refused with 400 and audited; the body is not acted on', async () => {
    const res = await stack.api(a.apiKey).post('/api/v1/domains?note=a%00b', { name: 'query-nul.example' });
    const body = expectError(res, 400, 'VALIDATION_FAILED');
    assert.equal(body.fields?.[0]?.field, 'query.note');
    assert.equal(await count(`SELECT count(*) AS n FROM domains WHERE name = 'query-nul.example'`), 0);
    const [row] = await auditOf(res);
    assert.equal(row.status, 400);
    assert.equal(row.action, 'domains.create');
    assert.equal(row.actor_type, 'api_key');
  });

  it('a NUL in a path parameter is refused with 400 and audited with the parameter made storable', async () => {
    assert.equal((await stack.api(a.apiKey).post('/api/v1/domains', { name: 'pathnul.example' })).status, 201);
    const res = await stack.api(a.apiKey).patch('/api/v1/domains/pathnul%00.example', { active: false });
    const body = expectError(res, 400, 'VALIDATION_FAILED');
    assert.match(body.fields?.[0]?.field ?? '', /^path\./);
    const [row] = await auditOf(res);
    assert.equal(row.status, 400);
    assert.equal(row.path, '/api/v1/domains/pathnul%00.example');
    assert.equal(row.resource_id, 'pathnul\uFFFD.example');
    const [d] = await stack.db.query<{ active: boolean }>(`SELECT active FROM domains WHERE name = 'pathnul.example'`);
    assert.equal(d.active, true, 'the domain was not touched');
  });

  it('a NUL in a login e-mail (no principal yet) is refused and audited as anonymous', async () => {
    const res = await stack.api().post('/api/v1/auth/login', '{"email":"x\\u0000@mailplane.test","password":"whatever-123"}');
    expectError(res, 400, 'VALIDATION_FAILED');
    const [row] = await auditOf(res);
    assert.equal(row.status, 400);
    assert.equal(row.actor_type, 'anonymous');
  });

  it('a body near the size limit is audited with a truncated preview, not dropped', async () => {
    const res = await stack.api(a.token).post('/api/v1/api-keys', { name: 'n'.repeat(300_000), scopes: ['domains:read'] });
    expectError(res, 400, 'VALIDATION_FAILED');
    const [row] = await auditOf(res);
    assert.equal(row.status, 400);
    assert.equal(row.changes?._truncated, true);
    assert.ok(row.changes!._chars > 300_000);
    assert.ok(String(row.changes!._preview).startsWith('{"name":"nnn'));
  });

  it('when the audit entry cannot be written the request answers 503, never a silent 2xx or 4xx', async () => {
    await stack.db.query(`CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused by test'; END $$`);
    await stack.db.query(`CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()`);
    try {
      const created = await stack.api(a.apiKey).post('/api/v1/domains', { name: 'unaudited.example' });
      const body = expectError(created, 503, 'DEPENDENCY_UNAVAILABLE');
      assert.match(body.detail, /may have been applied/);
      assert.equal(created.headers.get('location'), null);
      const refused = await stack.api(a.apiKey).post('/api/v1/domains', { name: 'not a domain' });
      assert.match(expectError(refused, 503, 'DEPENDENCY_UNAVAILABLE').detail, /refused \(status 400\)/);
      // Reads are not audited and keep working.
      assert.equal((await stack.api(a.apiKey).get('/api/v1/domains')).status, 200);
    } finally {
      await stack.db.query(`DROP TRIGGER test_refuse_audit ON audit_log`);
      await stack.db.query(`DROP FUNCTION test_refuse_audit()`);
    }
    const res = await stack.api(a.apiKey).post('/api/v1/domains', { name: 'audited-again.example' });
    assert.equal(res.status, 201);
    assert.equal((await auditOf(res)).length, 1);
  });

  describe('domain names are stored as sent, or refused', () => {
    const invisible = ['exa\u200bmple.com', 'exa\u200cmple.com', 'exa\u200dmple.com', 'exa\u2060mple.com', '\ufeffexample.com', 'exa\u00admple.com'];

    it('zero-width characters, word joiner, BOM and soft hyphen: 400 with the reason, no row', async () => {
      for (const name of invisible) {
        const res = await stack.api(a.apiKey).post('/api/v1/domains', { name });
        const body = expectError(res, 400, 'VALIDATION_FAILED');
        assert.match(body.fields?.[0]?.message ?? '', /invisible characters.*\(found U\+[0-9A-F]{4}\)/, JSON.stringify(name));
        assert.equal((await auditOf(res))[0].status, 400);
      }
      assert.equal(await count(`SELECT count(*) AS n FROM domains WHERE name = 'example.com'`), 0);
    });

    it('a label mixing Latin and Cyrillic (pаypal.com with a Cyrillic а) is refused, in U-label and A-label form', async () => {
      for (const name of ['p\u0430ypal.com', 'xn--pypal-4ve.com']) {
        const res = await stack.api(a.apiKey).post('/api/v1/domains', { name });
        const body = expectError(res, 400, 'VALIDATION_FAILED');
        assert.match(body.fields?.[0]?.message ?? '', /mixes Latin and Cyrillic/);
      }
      assert.equal(await count(`SELECT count(*) AS n FROM domains WHERE name LIKE '%pypal%' OR name LIKE '%paypal%'`), 0);
    });

    it('fullwidth letters that IDNA would rewrite are refused; single-script IDNs still work', async () => {
      expectError(await stack.api(a.apiKey).post('/api/v1/domains', { name: '\uff45xample.org' }), 400, 'VALIDATION_FAILED');
      assert.equal(await count(`SELECT count(*) AS n FROM domains WHERE name = 'example.org'`), 0);
      for (const name of ['пример.рф', 'bücher.example', '東京タワー.jp']) {
        const res = await stack.api(a.apiKey).post('/api/v1/domains', { name });
        assert.equal(res.status, 201, `${name}: ${res.text}`);
      }
    });

    it('an invisible character in a lookup does not address another domain', async () => {
      assert.equal((await stack.api(a.apiKey).post('/api/v1/domains', { name: 'lookup.example' })).status, 201);
      expectError(await stack.api(a.apiKey).get(`/api/v1/domains/${encodeURIComponent('look\u200bup.example')}`), 404, 'NOT_FOUND');
      expectError(await stack.api(a.apiKey).patch(`/api/v1/domains/${encodeURIComponent('look\u200bup.example')}`, { active: false }), 404, 'NOT_FOUND');
    });

    it('alias destinations and API-key domain lists refuse such domains too', async () => {
      assert.equal((await stack.api(a.token).post('/api/v1/domains', { name: 'alias-home.example' })).status, 201);
      const alias = await stack.api(a.token).post('/api/v1/aliases', { source: 'sales@alias-home.example', destinations: ['boss@p\u0430ypal.com'] });
      expectError(alias, 400, 'VALIDATION_FAILED');
      const zw = await stack.api(a.token).post('/api/v1/aliases', { source: 'sales@alias-home.example', destinations: ['boss@exa\u200bmple.com'] });
      expectError(zw, 400, 'VALIDATION_FAILED');
      assert.equal(await count(`SELECT count(*) AS n FROM aliases`), 0);
      const key = await stack
        .api(a.token)
        .post('/api/v1/api-keys', { name: 'limited', scopes: ['domains:read'], domain_allowlist: ['alias-home.example', 'exa\u200bmple.com'] });
      const body = expectError(key, 400, 'VALIDATION_FAILED');
      assert.match(body.fields?.[0]?.message ?? '', /invisible characters/);
    });
  });
});
