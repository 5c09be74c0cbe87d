import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

/** A key limited to some domains sees nothing of the tenant's other domains, on every resource under them. */
describe('key domain allow-list across mailbox, alias and config routes (e2e)', () => {
  let stack: TestStack;
  let limited: string;
  let hiddenMailbox: string;

  before(async () => {
    stack = await TestStack.start('allowlist');
    const t = await stack.tenantAdmin('allow');
    for (const name of ['seen.example', 'unseen.example']) {
      assert.equal((await stack.api(t.token).post('/api/v1/domains', { name })).status, 201);
    }
    for (const address of ['amy@seen.example', 'zed@unseen.example']) {
      const m = await stack.api(t.token).post('/api/v1/mailboxes', { username: address, password: 'Very-Long-Secret-42' });
      assert.equal(m.status, 201, m.text);
      if (address.startsWith('zed')) hiddenMailbox = m.body.id;
    }
    for (const source of ['team@seen.example', 'team@unseen.example']) {
      assert.equal((await stack.api(t.token).post('/api/v1/aliases', { source, destinations: ['ext@remote.example'] })).status, 201);
    }
    const key = await stack.api(t.token).post('/api/v1/api-keys', {
      name: 'seen only',
      scopes: ['mailboxes:write', 'aliases:write', 'domains:write'],
      domain_allowlist: ['seen.example'],
    });
    limited = key.body.key;
  });
  after(async () => {
    await stack?.stop();
  });

  it('lists and counts only allowed domains’ mailboxes and aliases', async () => {
    const mbx = await stack.api(limited).get('/api/v1/mailboxes');
    assert.deepEqual(
      mbx.body.data.map((m: { address: string }) => m.address),
      ['amy@seen.example'],
    );
    assert.equal(mbx.body.meta.total, 1);
    const als = await stack.api(limited).get('/api/v1/aliases');
    assert.deepEqual(
      als.body.data.map((a: { source: string }) => a.source),
      ['team@seen.example'],
    );
    assert.equal(als.body.meta.total, 1);
    assert.equal((await stack.api(limited).get('/api/v1/aliases?domain=unseen.example')).body.meta.total, 0);
  });

  it('another domain’s mailbox, alias, overrides and effective settings are 404', async () => {
    for (const path of [
      `/api/v1/mailboxes/${hiddenMailbox}`,
      '/api/v1/mailboxes/zed@unseen.example',
      '/api/v1/mailboxes/zed@unseen.example/overrides',
      '/api/v1/mailboxes/zed@unseen.example/effective',
      '/api/v1/aliases/team@unseen.example',
      '/api/v1/domains/unseen.example/overrides',
    ]) {
      expectError(await stack.api(limited).get(path), 404, 'NOT_FOUND');
    }
    expectError(await stack.api(limited).patch('/api/v1/aliases/team@unseen.example', { active: false }), 404, 'NOT_FOUND');
    expectError(await stack.api(limited).delete('/api/v1/mailboxes/zed@unseen.example'), 404, 'NOT_FOUND');
    assert.equal((await stack.db.query(`SELECT 1 FROM mailboxes WHERE address = 'zed@unseen.example'`)).length, 1);
  });

  it('cannot create under another domain, and export holds only allowed rows', async () => {
    const m = await stack.api(limited).post('/api/v1/mailboxes', { username: 'new@unseen.example', password: 'Very-Long-Secret-42' });
    assert.ok([403, 404].includes(m.status), `status ${m.status}`);
    const al = await stack.api(limited).post('/api/v1/aliases', { source: 'x@unseen.example', destinations: ['ext@remote.example'] });
    assert.ok([403, 404].includes(al.status), `status ${al.status}`);
    assert.equal((await stack.db.query(`SELECT 1 FROM mail_addresses WHERE address IN ('new@unseen.example', 'x@unseen.example')`)).length, 0);
    const csv = await stack.api(limited).get('/api/v1/mailboxes/export');
    assert.equal(csv.status, 200);
    assert.ok(csv.text.includes('amy@seen.example') && !csv.text.includes('unseen'));
  });
});
