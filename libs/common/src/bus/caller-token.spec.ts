import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BusError, type CallerContext } from '#contracts';
import { generateBusKeyPair, importBusSigningKey, importBusVerifyKeys } from './bus-keys.js';
import { CallerTokenSigner, CallerTokenVerifier } from './caller-token.js';

const ctx: CallerContext = { tenant_id: '6c1f8a0e-7c1a-4a53-9b5e-2d1c1f3e9a10', domain_allowlist: ['a.example'], home_tenant_id: null, request_id: 'r1' };

describe('signed caller context', async () => {
  const gw = generateBusKeyPair();
  const signer = new CallerTokenSigner('gateway', await importBusSigningKey(gw.privateKey), 30);
  const verifier = () => importBusVerifyKeys(`gateway=${gw.publicKey}`).then((keys) => new CallerTokenVerifier(keys, 30));
  const refused = (code: string) => (err: unknown) => err instanceof BusError && err.moduleCode === code;

  it('accepts its own token once, whatever the key order of the context', async () => {
    const v = await verifier();
    const token = await signer.sign('mailplane.domains.list', ctx);
    const reordered = { request_id: 'r1', home_tenant_id: null, domain_allowlist: ['a.example'], tenant_id: ctx.tenant_id };
    assert.deepEqual((await v.verify(token, 'mailplane.domains.list', reordered)).issuer, 'gateway');
    await assert.rejects(v.verify(token, 'mailplane.domains.list', ctx), refused('BUS_CALLER_MISMATCH'));
  });

  it('refuses a missing token, another subject, another context and an unknown key', async () => {
    const v = await verifier();
    await assert.rejects(v.verify(undefined, 'mailplane.domains.list', ctx), refused('BUS_CALLER_UNSIGNED'));
    await assert.rejects(v.verify(await signer.sign('mailplane.domains.get', ctx), 'mailplane.domains.list', ctx), refused('BUS_CALLER_MISMATCH'));
    await assert.rejects(
      v.verify(await signer.sign('mailplane.domains.list', ctx), 'mailplane.domains.list', { ...ctx, tenant_id: null }),
      refused('BUS_CALLER_MISMATCH'),
    );
    const other = new CallerTokenSigner('gateway', await importBusSigningKey(generateBusKeyPair().privateKey), 30);
    await assert.rejects(v.verify(await other.sign('mailplane.domains.list', ctx), 'mailplane.domains.list', ctx), refused('BUS_CALLER_FORGED'));
    await assert.rejects(v.verify('not.a.jwt', 'mailplane.domains.list', ctx), refused('BUS_CALLER_FORGED'));
  });

  it('refuses a key that is no bus app and a token that outlives the accepted lifetime', async () => {
    await assert.rejects(importBusVerifyKeys(`mallory=${gw.publicKey}`), /not a bus app/);
    const long = new CallerTokenSigner('gateway', await importBusSigningKey(gw.privateKey), 300);
    await assert.rejects(
      (await verifier()).verify(await long.sign('mailplane.domains.list', ctx), 'mailplane.domains.list', ctx),
      refused('BUS_CALLER_EXPIRED'),
    );
  });
});
