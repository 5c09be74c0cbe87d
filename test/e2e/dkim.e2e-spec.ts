import assert from 'node:assert/strict';
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { domainToASCII } from 'node:url';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { SecretBox } from '#common';
import { EventSubjects } from '#contracts';
import { createDataSource, loadDkimSigningKeys } from '#database';
import { expectError, type ApiResponse } from '../helpers/api-client.js';
import { opendkimBinary, opendkimSignAndVerify } from '../helpers/opendkim-test-mode.js';
import { TestStack } from '../helpers/stack.js';

/** bücher-dkim.example in punycode, as domains store it. */
const IDN_ASCII = domainToASCII('bücher-dkim.example');

interface DkimKey {
  id: string;
  domain: string;
  domain_unicode: string;
  selector: string;
  algorithm: string;
  signing: boolean;
  dns_record: { name: string; type: string; value: string; strings: string[]; zone_line: string };
}

/** The public key a DNS record publishes (p= is SPKI for RSA, the raw 32 bytes for Ed25519). */
function publicKeyOf(record: DkimKey['dns_record']): { k: string; p: string; key: KeyObject } {
  const tags = Object.fromEntries(record.value.split(';').map((t) => [t.trim().slice(0, t.trim().indexOf('=')), t.trim().slice(t.trim().indexOf('=') + 1)]));
  const raw = Buffer.from(tags.p, 'base64');
  const key =
    tags.k === 'ed25519'
      ? createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
      : createPublicKey({ key: raw, format: 'der', type: 'spki' });
  return { k: tags.k, p: tags.p, key };
}

describe('DKIM keys (e2e)', () => {
  let stack: TestStack;
  let a: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let b: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let nc: NatsConnection;
  let events: Subscription;
  const seen: Record<string, unknown>[] = [];

  before(async () => {
    stack = await TestStack.start('dkim');
    a = await stack.tenantAdmin('dkim-a');
    b = await stack.tenantAdmin('dkim-b');
    for (const name of ['dkim-a.example', 'dkim-a2.example', 'bücher-dkim.example']) {
      assert.equal((await stack.api(a.token).post('/api/v1/domains', { name })).status, 201);
    }
    assert.equal((await stack.api(b.token).post('/api/v1/domains', { name: 'dkim-b.example' })).status, 201);
    // As the worker's bus user: the one that may hear events.
    nc = await stack.nats.connect('worker');
    events = nc.subscribe(EventSubjects.DkimChanged);
    void (async () => {
      for await (const m of events) seen.push(m.json());
    })();
  });
  after(async () => {
    await nc?.close();
    await stack?.stop();
  });

  const create = (body: Record<string, unknown>, credential = a.token) => stack.api(credential).post('/api/v1/dkim', body);
  const created = (res: ApiResponse): DkimKey => {
    assert.equal(res.status, 201, res.text);
    return res.body as DkimKey;
  };
  const waitForEvent = async (match: (e: Record<string, unknown>) => boolean) => {
    for (let i = 0; i < 50 && !seen.some(match); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(seen.some(match), `no matching event among ${JSON.stringify(seen)}`);
  };

  it('generates each algorithm with a well-formed DNS record, and answers Location', async () => {
    const expectations = [
      { algorithm: 'rsa-2048', selector: 'rsa2048', k: 'rsa', pLength: 392, strings: 2 },
      { algorithm: 'rsa-1024', selector: 'rsa1024', k: 'rsa', pLength: 216, strings: 1 },
      { algorithm: 'ed25519', selector: 'ed', k: 'ed25519', pLength: 44, strings: 1 },
    ];
    for (const e of expectations) {
      const res = await create({ domain: 'dkim-a.example', selector: e.selector, algorithm: e.algorithm });
      const key = created(res);
      assert.equal(res.headers.get('location'), `/api/v1/dkim/dkim-a.example?selector=${e.selector}`);
      assert.equal(key.algorithm, e.algorithm);
      assert.deepEqual([key.domain, key.domain_unicode, key.selector], ['dkim-a.example', 'dkim-a.example', e.selector]);
      const r = key.dns_record;
      assert.equal(r.name, `${e.selector}._domainkey.dkim-a.example`);
      assert.equal(r.type, 'TXT');
      const pub = publicKeyOf(r);
      assert.equal(r.value, `v=DKIM1; k=${e.k}; p=${pub.p}`);
      assert.equal(pub.p.length, e.pLength);
      assert.equal(pub.key.asymmetricKeyType, e.k === 'ed25519' ? 'ed25519' : 'rsa');
      if (e.k === 'ed25519') assert.equal(Buffer.from(pub.p, 'base64').length, 32);
      else assert.equal(pub.key.asymmetricKeyDetails?.modulusLength, Number(e.algorithm.slice(4)));
      assert.equal(r.strings.length, e.strings);
      assert.ok(r.strings.every((s) => s.length <= 255));
      assert.equal(r.strings.join(''), r.value);
      assert.equal(r.zone_line, `${r.name}. IN TXT ( ${r.strings.map((s) => `"${s}"`).join(' ')} )`);
      assert.ok(!JSON.stringify(key).includes('PRIVATE'), 'no private key in the response');
      await waitForEvent((ev) => ev.key_id === key.id && ev.action === 'created' && ev.domain === 'dkim-a.example');
    }
    // Defaults: selector `default`, rsa-2048; an IDN domain in Unicode is stored and published in punycode.
    const idn = created(await create({ domain: 'Bücher-DKIM.example' }));
    assert.deepEqual([idn.selector, idn.algorithm, idn.domain, idn.domain_unicode], ['default', 'rsa-2048', IDN_ASCII, 'bücher-dkim.example']);
    assert.equal(idn.dns_record.name, `default._domainkey.${IDN_ASCII}`);
    assert.equal((await stack.api(a.token).get('/api/v1/dkim/bücher-dkim.example')).body.id, idn.id);
  });

  it('keeps the private key encrypted at rest, bound to its row, matching the published key', async () => {
    const list = await stack.api(a.token).get('/api/v1/dkim?domain=dkim-a.example&limit=10');
    const keys = list.body.data as DkimKey[];
    assert.equal(keys.length, 3);
    const box = new SecretBox(stack.env.MAILPLANE_SECRET_KEY!);
    for (const key of keys) {
      const [row] = await stack.db.query<{ private_key_enc: string; public_key: string }>(`SELECT private_key_enc, public_key FROM dkim_keys WHERE id = $1`, [
        key.id,
      ]);
      assert.ok(!/PRIVATE KEY|BEGIN/.test(row.private_key_enc), 'sealed, not PEM');
      assert.throws(() => box.open(row.private_key_enc, keys.find((k) => k.id !== key.id)!.id), 'another row id does not open it');
      const pem = box.open(row.private_key_enc, key.id);
      assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n/);
      const pub = publicKeyOf(key.dns_record);
      assert.equal(row.public_key, pub.p);
      const derived = createPublicKey(pem);
      const derivedP =
        derived.asymmetricKeyType === 'ed25519'
          ? Buffer.from(derived.export({ format: 'jwk' }).x!, 'base64url').toString('base64')
          : derived.export({ type: 'spki', format: 'der' }).toString('base64');
      assert.equal(derivedP, pub.p, 'the private key’s public half is what DNS publishes');
      const hash = pub.k === 'ed25519' ? null : 'sha256';
      const signature = sign(hash, Buffer.from('DKIM header hash'), pem);
      assert.ok(verify(hash, Buffer.from('DKIM header hash'), pub.key, signature));
    }
    const logs = [...stack.apps.values(), stack.gateway].map((p) => p.output.join('')).join('');
    assert.ok(!logs.includes('PRIVATE KEY'), 'no private key in any log');
  });

  it(
    'OpenDKIM 2.11 signs with the stored keys, and the published records verify its signatures',
    { skip: !opendkimBinary() && 'opendkim is not installed' },
    async () => {
      const box = new SecretBox(stack.env.MAILPLANE_SECRET_KEY!);
      const keys = (await stack.api(a.token).get('/api/v1/dkim?domain=dkim-a.example')).body.data as DkimKey[];
      assert.deepEqual(keys.map((k) => k.algorithm).sort(), ['ed25519', 'rsa-1024', 'rsa-2048']);
      for (const key of keys) {
        const [row] = await stack.db.query<{ private_key_enc: string }>(`SELECT private_key_enc FROM dkim_keys WHERE id = $1`, [key.id]);
        const run = (signatureAlgorithm: 'rsa-sha256' | 'ed25519-sha256') =>
          opendkimSignAndVerify({
            binary: opendkimBinary()!,
            domain: key.domain,
            selector: key.selector,
            privateKeyPem: box.open(row.private_key_enc, key.id),
            txtValue: key.dns_record.strings.join(''),
            signatureAlgorithm,
          });
        const native = await run(key.algorithm === 'ed25519' ? 'ed25519-sha256' : 'rsa-sha256');
        assert.match(
          native.signature ?? '',
          new RegExp(`a=${key.algorithm === 'ed25519' ? 'ed25519' : 'rsa'}-sha256;.*d=${key.domain};\\s+s=${key.selector};`, 's'),
          native.output,
        );
        assert.ok(native.verified, `${key.algorithm}: OpenDKIM verifies its own signature against the published record`);
        if (key.algorithm === 'ed25519') {
          // Why Ed25519 keys never sign here: under OpenDKIM's (global) rsa-sha256 the message is tempfailed.
          const underRsa = await run('rsa-sha256');
          assert.equal(underRsa.signature, null);
          assert.match(underRsa.output, /451|EVP_PKEY_get1_RSA/);
        }
      }
    },
  );

  it('validates selectors (400 with fields), refuses duplicates (409) and unknown domains (404), changing nothing', async () => {
    const before = (await stack.db.query(`SELECT count(*)::int AS n FROM dkim_keys`))[0].n;
    for (const selector of ['-bad', 'bad-', 'under_score', 'a..b', '', 'x'.repeat(64), 'sp ace']) {
      const err = expectError(await create({ domain: 'dkim-a.example', selector }), 400, 'VALIDATION_FAILED');
      assert.equal(err.fields?.[0].field, 'selector', selector);
    }
    const algo = expectError(await create({ domain: 'dkim-a.example', algorithm: 'rsa-4096' }), 400, 'VALIDATION_FAILED');
    assert.equal(algo.fields?.[0].field, 'algorithm');
    expectError(await create({ domain: 'dkim-a.example', selector: null }), 400, 'VALIDATION_FAILED');
    expectError(await create({ domain: 'dkim-a.example', private_key: 'x' }), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(a.token).post('/api/v1/dkim/dkim-a.example/rotate', { selector: 'no_pe' }), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(a.token).get('/api/v1/dkim/dkim-a.example?selector=-x'), 400, 'VALIDATION_FAILED');
    const dup = expectError(await create({ domain: 'DKIM-A.example', selector: 'RSA2048' }), 409, 'CONFLICT');
    assert.match(dup.detail, /rsa2048/);
    expectError(await stack.api(a.token).post('/api/v1/dkim/dkim-a.example/rotate', { selector: 'ed' }), 409, 'CONFLICT');
    expectError(await create({ domain: 'nope.example' }), 404, 'NOT_FOUND');
    expectError(await create({ domain: '00000000-0000-4000-8000-000000000000' }), 404, 'NOT_FOUND');
    expectError(await stack.api(a.token).get('/api/v1/dkim/nope.example'), 404, 'NOT_FOUND');
    expectError(await stack.api(a.token).get('/api/v1/dkim/dkim-a.example?selector=missing'), 404, 'NOT_FOUND');
    expectError(await stack.api(a.token).get('/api/v1/dkim/dkim-a2.example'), 404, 'NOT_FOUND');
    expectError(await stack.api(a.token).request('POST', '/api/v1/dkim/dkim-a.example/rotate', undefined), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal((await stack.db.query(`SELECT count(*)::int AS n FROM dkim_keys`))[0].n, before);
  });

  it('isolates tenants: another tenant’s domain is a 404 everywhere and its keys are not listed', async () => {
    const own = created(await create({ domain: 'dkim-b.example' }, b.token));
    const bList = (await stack.api(b.token).get('/api/v1/dkim')).body;
    assert.deepEqual(
      bList.data.map((k: DkimKey) => k.id),
      [own.id],
    );
    assert.equal(bList.meta.total, 1);
    const aDomainId = (await stack.api(a.token).get('/api/v1/domains/dkim-a.example')).body.id as string;
    for (const ref of ['dkim-a.example', aDomainId]) {
      expectError(await stack.api(b.token).get(`/api/v1/dkim/${ref}`), 404, 'NOT_FOUND');
      expectError(await stack.api(b.token).get(`/api/v1/dkim/${ref}?selector=rsa2048`), 404, 'NOT_FOUND');
      expectError(await stack.api(b.token).delete(`/api/v1/dkim/${ref}?selector=rsa2048`), 404, 'NOT_FOUND');
      expectError(await stack.api(b.token).post(`/api/v1/dkim/${ref}/rotate`, {}), 404, 'NOT_FOUND');
      expectError(await create({ domain: ref, selector: 'evil' }, b.token), 404, 'NOT_FOUND');
    }
    assert.equal((await stack.api(b.token).get('/api/v1/dkim?domain=dkim-a.example')).body.meta.total, 0);
    assert.equal((await stack.db.query(`SELECT 1 FROM dkim_keys WHERE selector = 'evil'`)).length, 0);
    assert.equal(
      (await stack.db.query(`SELECT 1 FROM dkim_keys k JOIN domains d ON d.id = k.domain_id WHERE d.name = 'dkim-a.example' AND k.selector = 'rsa2048'`))
        .length,
      1,
    );
    // The platform admin sees both tenants' keys.
    const all = (await stack.api(stack.admin.apiKey).get('/api/v1/dkim?limit=100')).body.data as DkimKey[];
    assert.ok(all.some((k) => k.id === own.id) && all.some((k) => k.domain === 'dkim-a.example'));
  });

  it('respects a key’s domain allow-list', async () => {
    const key = await stack.api(a.token).post('/api/v1/api-keys', { name: 'a2 only', scopes: ['dkim:write'], domain_allowlist: ['dkim-a2.example'] });
    assert.equal(key.status, 201, key.text);
    const k = key.body.key as string;
    expectError(await stack.api(k).get('/api/v1/dkim/dkim-a.example'), 404, 'NOT_FOUND');
    expectError(await create({ domain: 'dkim-a.example', selector: 'fenced' }, k), 404, 'NOT_FOUND');
    const mine = created(await create({ domain: 'dkim-a2.example' }, k));
    assert.deepEqual(
      (await stack.api(k).get('/api/v1/dkim')).body.data.map((x: DkimKey) => x.id),
      [mine.id],
    );
  });

  it('rotation adds a published key while the old one keeps signing; the flag matches what the reconcile signs with', async () => {
    const before = (await stack.api(a.token).get('/api/v1/dkim/dkim-a2.example')).body as DkimKey;
    assert.equal(before.signing, true);
    const res = await stack.api(a.token).post('/api/v1/dkim/dkim-a2.example/rotate', {});
    const rotated = created(res);
    const today = `s${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    assert.equal(rotated.selector, today);
    assert.equal(rotated.algorithm, before.algorithm);
    assert.equal(rotated.signing, false, 'not before its record can be in DNS');
    assert.equal(res.headers.get('location'), `/api/v1/dkim/dkim-a2.example?selector=${today}`);
    await waitForEvent((ev) => ev.key_id === rotated.id && ev.action === 'rotated');
    // Rotating again the same day picks the next free selector.
    const again = created(await stack.api(a.token).post('/api/v1/dkim/dkim-a2.example/rotate', { algorithm: 'rsa-1024' }));
    assert.deepEqual([again.selector, again.algorithm, again.signing], [`${today}-2`, 'rsa-1024', false]);
    const keys = (await stack.api(a.token).get('/api/v1/dkim?domain=dkim-a2.example&sort=created_at')).body.data as DkimKey[];
    assert.deepEqual(
      keys.map((k) => [k.selector, k.signing]),
      [
        ['default', true],
        [today, false],
        [`${today}-2`, false],
      ],
    );
    assert.equal((await stack.api(a.token).get('/api/v1/dkim/dkim-a2.example')).body.id, before.id, 'without selector: the signing key');
    assert.equal((await stack.api(a.token).get(`/api/v1/dkim/dkim-a2.example?selector=${today}`)).body.signing, false);

    // Ed25519 keys are published but never sign (OpenDKIM 2.11 signs every domain with rsa-sha256).
    const ed = created(await stack.api(a.token).post('/api/v1/dkim/dkim-a2.example/rotate', { selector: 'ED-2026', algorithm: 'ed25519' }));
    assert.deepEqual([ed.selector, ed.signing], ['ed-2026', false]);
    assert.equal((await stack.api(a.token).get('/api/v1/dkim/dkim-a2.example')).body.id, before.id);

    // DKIM disabled for the domain: nothing signs.
    const off = await stack.api(a.token).request('PUT', '/api/v1/domains/dkim-a.example/overrides', { dkim_enabled: false });
    assert.equal(off.status, 200, off.text);
    assert.ok(((await stack.api(a.token).get('/api/v1/dkim?domain=dkim-a.example')).body.data as DkimKey[]).every((k) => !k.signing));

    // What the API calls signing is exactly what the reconcile puts in OpenDKIM's SigningTable.
    const ds = createDataSource({ url: stack.db.url, poolSize: 1 });
    await ds.initialize();
    try {
      const fromReconcile = (await loadDkimSigningKeys(ds)).map((k) => k.id).sort();
      const all = (await stack.api(stack.admin.apiKey).get('/api/v1/dkim?limit=500')).body.data as DkimKey[];
      assert.deepEqual(
        all
          .filter((k) => k.signing)
          .map((k) => k.id)
          .sort(),
        fromReconcile,
      );
      assert.ok(fromReconcile.includes(before.id) && !fromReconcile.includes(again.id) && !fromReconcile.includes(ed.id));
    } finally {
      await ds.destroy();
    }
  });

  it('deletes by selector; without one only when the domain has a single key', async () => {
    const several = expectError(await stack.api(a.token).delete('/api/v1/dkim/dkim-a2.example'), 400, 'VALIDATION_FAILED');
    assert.equal(several.fields?.[0].field, 'selector');
    assert.match(several.fields![0].message, /default/);
    const signing = (await stack.api(a.token).get('/api/v1/dkim/dkim-a2.example')).body as DkimKey;
    const del = await stack.api(a.token).delete(`/api/v1/dkim/dkim-a2.example?selector=${signing.selector}`);
    assert.deepEqual([del.status, del.body], [200, { message: 'dkim key deleted' }]);
    assert.equal((await stack.db.query(`SELECT 1 FROM dkim_keys WHERE id = $1`, [signing.id])).length, 0);
    await waitForEvent((ev) => ev.key_id === signing.id && ev.action === 'deleted');
    expectError(await stack.api(a.token).get(`/api/v1/dkim/dkim-a2.example?selector=${signing.selector}`), 404, 'NOT_FOUND');
    expectError(await stack.api(a.token).delete(`/api/v1/dkim/dkim-a2.example?selector=${signing.selector}`), 404, 'NOT_FOUND');
    // The next-oldest RSA key (the first rotated-in one) takes over.
    const next = (await stack.api(a.token).get('/api/v1/dkim/dkim-a2.example')).body as DkimKey;
    assert.equal(next.signing, true);
    assert.notEqual(next.id, signing.id);
    assert.match(next.selector, /^s\d{8}$/);

    const single = (await stack.api(b.token).get('/api/v1/dkim/dkim-b.example')).body as DkimKey;
    assert.equal((await stack.api(b.token).delete('/api/v1/dkim/dkim-b.example')).status, 200);
    assert.equal((await stack.db.query(`SELECT 1 FROM dkim_keys WHERE id = $1`, [single.id])).length, 0);
    expectError(await stack.api(b.token).delete('/api/v1/dkim/dkim-b.example'), 404, 'NOT_FOUND');
  });

  it('needs dkim:read to read and dkim:write to change', async () => {
    const reader = (await stack.api(a.token).post('/api/v1/api-keys', { name: 'dkim reader', scopes: ['dkim:read'] })).body.key as string;
    assert.equal((await stack.api(reader).get('/api/v1/dkim')).status, 200);
    assert.equal((await stack.api(reader).get('/api/v1/dkim/dkim-a.example?selector=rsa2048')).status, 200);
    const count = (await stack.db.query(`SELECT count(*)::int AS n FROM dkim_keys`))[0].n;
    expectError(await create({ domain: 'dkim-a.example', selector: 'ro' }, reader), 403, 'INSUFFICIENT_SCOPE');
    expectError(await stack.api(reader).post('/api/v1/dkim/dkim-a.example/rotate', {}), 403, 'INSUFFICIENT_SCOPE');
    expectError(await stack.api(reader).delete('/api/v1/dkim/dkim-a.example?selector=rsa2048'), 403, 'INSUFFICIENT_SCOPE');
    const domainsOnly = (await stack.api(a.token).post('/api/v1/api-keys', { name: 'no dkim', scopes: ['domains:read'] })).body.key as string;
    expectError(await stack.api(domainsOnly).get('/api/v1/dkim'), 403, 'INSUFFICIENT_SCOPE');
    assert.equal((await stack.db.query(`SELECT count(*)::int AS n FROM dkim_keys`))[0].n, count);
  });

  it('POST /domains with dkim: true answers the domain with its new key; without dkim:write it is 403 and creates nothing', async () => {
    const res = await stack.api(a.token).post('/api/v1/domains', { name: 'dkim-at-birth.example', dkim: true });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.name, 'dkim-at-birth.example');
    assert.deepEqual([res.body.dkim.domain, res.body.dkim.selector, res.body.dkim.algorithm], ['dkim-at-birth.example', 'default', 'rsa-2048']);
    assert.equal(res.body.dkim.dns_record.name, 'default._domainkey.dkim-at-birth.example');
    assert.equal(publicKeyOf(res.body.dkim.dns_record).k, 'rsa');
    assert.equal('private_key' in res.body.dkim, false);
    const listed = await stack.api(a.token).get('/api/v1/dkim?domain=dkim-at-birth.example');
    assert.deepEqual(
      listed.body.data.map((k: DkimKey) => k.id),
      [res.body.dkim.id],
    );
    const plain = await stack.api(a.token).post('/api/v1/domains', { name: 'dkim-later.example' });
    assert.equal(plain.status, 201);
    assert.equal('dkim' in plain.body, false);

    const noDkim = (await stack.api(a.token).post('/api/v1/api-keys', { name: 'domains only', scopes: ['domains:write'] })).body.key as string;
    expectError(await stack.api(noDkim).post('/api/v1/domains', { name: 'dkim-denied.example', dkim: true }), 403, 'INSUFFICIENT_SCOPE');
    assert.equal((await stack.api(a.token).get('/api/v1/domains/dkim-denied.example')).status, 404);
    expectError(await stack.api(a.token).post('/api/v1/domains', { name: 'dkim-bad.example', dkim: 'yes' }), 400, 'VALIDATION_FAILED');
  });

  it('deleting a domain deletes its keys', async () => {
    assert.ok((await stack.db.query(`SELECT 1 FROM dkim_keys k JOIN domains d ON d.id = k.domain_id WHERE d.name = $1`, [IDN_ASCII])).length > 0);
    const id = (await stack.api(a.token).get('/api/v1/domains/bücher-dkim.example')).body.id as string;
    assert.equal((await stack.api(a.token).delete(`/api/v1/domains/${id}`)).status, 200);
    assert.equal((await stack.db.query(`SELECT 1 FROM dkim_keys WHERE domain_id = $1`, [id])).length, 0);
  });
});
