import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_SCOPES, isKnownScope, roleAllows, scopeSatisfies, scopesWithin } from './scopes.js';

describe('scope catalog', () => {
  it('has read and write for writable resources and only read for read-only ones', () => {
    assert.ok(ALL_SCOPES.includes('domains:write'));
    assert.ok(ALL_SCOPES.includes('dns:read'));
    assert.ok(!ALL_SCOPES.includes('dns:write' as never));
    assert.ok(!ALL_SCOPES.includes('audit:write' as never));
    assert.ok(isKnownScope('*'));
    assert.ok(!isKnownScope('domains:delete'));
  });

  it('write implies read, * implies everything, read never implies write', () => {
    assert.ok(scopeSatisfies(['domains:write'], 'domains:read'));
    assert.ok(scopeSatisfies(['*'], 'tenants:write'));
    assert.ok(!scopeSatisfies(['domains:read'], 'domains:write'));
    assert.ok(!scopeSatisfies(['mailboxes:write'], 'domains:read'));
    assert.ok(!scopeSatisfies([], 'domains:read'));
  });

  it('scopesWithin: only * grants *, unknown scopes are never within', () => {
    assert.ok(scopesWithin(['domains:write'], ['domains:read', 'domains:write']));
    assert.ok(!scopesWithin(['domains:write'], ['*']));
    assert.ok(scopesWithin(['*'], ['*']));
    assert.ok(!scopesWithin(['*'], ['domains:nope']));
  });

  it('roles bound what a key can do', () => {
    assert.ok(roleAllows('platform_admin', 'tenants:write'));
    assert.ok(!roleAllows('tenant_admin', 'tenants:read'));
    assert.ok(!roleAllows('tenant_admin', '*'));
    assert.ok(roleAllows('tenant_admin', 'domains:write'));
    assert.ok(!roleAllows('domain_admin', 'accounts:write'));
    assert.ok(roleAllows('domain_admin', 'mailboxes:write'));
  });
});
