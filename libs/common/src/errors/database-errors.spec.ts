import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { databaseFailure } from './database-errors.js';

describe('database failures as typed errors', () => {
  it('statement timeout (57014, also inside a QueryFailedError) and a dead server are 504', () => {
    assert.equal(databaseFailure({ code: '57014', message: 'canceling statement due to statement timeout' })?.status, 504);
    assert.equal(databaseFailure({ name: 'QueryFailedError', driverError: { code: '57014' } })?.status, 504);
    assert.equal(databaseFailure(new Error('Query read timeout'))?.status, 504);
  });

  it('no connection or pool slot in time, refused or shut down connections are 503', () => {
    for (const e of [
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated due to connection timeout'),
      Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      { code: '57P03' },
      { code: '53300' },
    ]) {
      const mapped = databaseFailure(e);
      assert.equal(mapped?.status, 503, JSON.stringify(e));
      assert.equal(mapped?.toBody().code, 'DEPENDENCY_UNAVAILABLE');
    }
  });

  it('other database errors are not hidden as outages', () => {
    assert.equal(databaseFailure({ code: '23505' }), null);
    assert.equal(databaseFailure(new Error('boom')), null);
    assert.equal(databaseFailure(undefined), null);
  });
});
