import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommonError, CreateDomainRpc, ListDomainsQueryDto } from '#contracts';
import { createValidationPipe } from './validation.pipe.js';

describe('validation pipe', () => {
  const pipe = createValidationPipe();

  it('converts query strings explicitly and rejects unknown fields', async () => {
    const ok = (await pipe.transform({ page: '2', limit: '10', active: 'false' }, { type: 'query', metatype: ListDomainsQueryDto })) as ListDomainsQueryDto;
    assert.deepEqual(JSON.parse(JSON.stringify(ok)), { page: 2, limit: 10, active: false });
    assert.ok(ok instanceof ListDomainsQueryDto);
    await assert.rejects(pipe.transform({ page: 'two', bogus: '1' }, { type: 'query', metatype: ListDomainsQueryDto }), (err: unknown) => {
      assert.ok(err instanceof CommonError);
      assert.equal(err.status, 400);
      assert.deepEqual([...new Set(err.fields!.map((f) => f.field))].sort(), ['bogus', 'page']);
      return true;
    });
  });

  it('names nested fields with their path (RPC envelopes)', async () => {
    await assert.rejects(
      pipe.transform(
        { ctx: { tenant_id: null, domain_allowlist: null, home_tenant_id: null }, body: { name: 'bad_name' } },
        { type: 'body', metatype: CreateDomainRpc },
      ),
      (err: unknown) => {
        assert.ok(err instanceof CommonError);
        assert.deepEqual(
          err.fields!.map((f) => f.field),
          ['body.name'],
        );
        return true;
      },
    );
  });
});
