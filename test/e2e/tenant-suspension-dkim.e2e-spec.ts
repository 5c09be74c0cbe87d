import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../helpers/api-client.js';
import { waitFor } from '../helpers/processes.js';
import { TestStack } from '../helpers/stack.js';

const DOMAIN = 'suspend-dkim.example';
const DOMAIN_RE = DOMAIN.replace(/\./g, '\\.');
const DIR = process.env.OPENDKIM_CONFIG_DIR ?? '/etc/opendkim';

interface AutoJob {
  id: string;
  state: string;
  result: { reloaded?: string[] } | null;
}

/**
 * Suspending a tenant must stop OpenDKIM signing for its domains without anyone asking for a
 * reconcile: the tenant event makes the node's worker re-render KeyTable, SigningTable and the key
 * files (and reload OpenDKIM); resuming brings them back the same way. Real OpenDKIM of this host
 * (scripts/mailstack.sh); the periodic reconcile is off, so only the event can be the cause.
 */
describe('tenant suspension reaches OpenDKIM by itself (e2e, real mail stack)', () => {
  let stack: TestStack;
  let admin: ApiClient;
  let selector: string;

  const keyTable = () => readFile(join(DIR, 'KeyTable'), 'utf8');
  const signingTable = () => readFile(join(DIR, 'SigningTable'), 'utf8');
  const keyFile = () => join(DIR, 'keys', DOMAIN, `${selector}.private`);
  const autoJobs = () => stack.db.query<AutoJob>(`SELECT id, state, result FROM jobs WHERE type = 'reconcile' AND created_by IS NULL ORDER BY created_at`);
  /** The automatic reconcile after `change`: a new job, and it completed (not merely ran). */
  const reconcileAfter = async (change: () => Promise<void>): Promise<AutoJob> => {
    await stack.reconcileSettled();
    const before = (await autoJobs()).length;
    await change();
    let job: AutoJob | undefined;
    await waitFor(
      'an automatic reconcile after the change',
      async () => {
        const jobs = await autoJobs();
        job = jobs[before];
        return jobs.length > before && ['completed', 'failed'].includes(job.state);
      },
      60_000,
    );
    assert.equal(job!.state, 'completed', JSON.stringify(job));
    return job!;
  };

  before(async () => {
    stack = await TestStack.start('tenant-suspension-dkim', { mailstack: true, env: { RECONCILE_INTERVAL_SECONDS: '0' } });
    admin = stack.api(stack.admin.apiKey);
    const t = await stack.tenantAdmin('suspend-dkim');
    assert.equal((await stack.api(t.token).post('/api/v1/domains', { name: DOMAIN })).status, 201);
    const key = await admin.post('/api/v1/dkim', { domain: DOMAIN, algorithm: 'rsa-1024' });
    assert.equal(key.status, 201, key.text);
    selector = key.body.selector;
    // The domain and key events asked for a reconcile of their own.
    await waitFor('the key in KeyTable', async () => (await keyTable()).includes(`${selector}._domainkey.${DOMAIN}`), 60_000);
    await stack.reconcileSettled();
  });
  after(async () => {
    await stack?.stop();
  });

  it('suspending takes the domain out of KeyTable, SigningTable and keys/; resuming puts it back; each with no reconcile asked for', async () => {
    const suspended = await reconcileAfter(async () => {
      assert.equal((await admin.patch('/api/v1/tenants/suspend-dkim', { active: false })).status, 200);
    });
    assert.ok(suspended.result?.reloaded?.includes('opendkim'), JSON.stringify(suspended.result));
    assert.doesNotMatch(await keyTable(), new RegExp(DOMAIN_RE));
    assert.doesNotMatch(await signingTable(), new RegExp(DOMAIN_RE));
    assert.equal(existsSync(keyFile()), false, 'the key file is gone');
    // The key row stays: resuming needs no new key.
    assert.equal((await stack.db.query(`SELECT 1 FROM dkim_keys k JOIN domains d ON d.id = k.domain_id WHERE d.name = $1`, [DOMAIN])).length, 1);

    const resumed = await reconcileAfter(async () => {
      assert.equal((await admin.patch('/api/v1/tenants/suspend-dkim', { active: true })).status, 200);
    });
    assert.ok(resumed.result?.reloaded?.includes('opendkim'), JSON.stringify(resumed.result));
    assert.match(await keyTable(), new RegExp(`^${selector}\\._domainkey\\.${DOMAIN_RE} ${DOMAIN_RE}:${selector}:`, 'm'));
    assert.match(await signingTable(), new RegExp(`^\\*@${DOMAIN_RE} `, 'm'));
    assert.equal(existsSync(keyFile()), true, 'the key file is back');
  });

  it('a cascade delete removes the domain from OpenDKIM by itself too', async () => {
    const deleted = await reconcileAfter(async () => {
      assert.equal((await admin.delete('/api/v1/tenants/suspend-dkim?cascade=true')).status, 200);
    });
    assert.ok(deleted.result?.reloaded?.includes('opendkim'), JSON.stringify(deleted.result));
    assert.doesNotMatch(await keyTable(), new RegExp(DOMAIN_RE));
    assert.equal(existsSync(keyFile()), false);
  });
});
