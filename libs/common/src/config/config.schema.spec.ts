import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONFIG_KEYS, ConfigError, loadConfig, requireConfig } from './config.schema.js';

const SECRET = 'x'.repeat(40);

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({ JWT_SECRET: SECRET });
    assert.equal(c.GATEWAY_PORT, 3000);
    assert.equal(c.NATS_TIMEOUT_MS, 5000);
    assert.equal(c.JWT_ACCESS_TTL_SECONDS, 900);
    assert.equal(c.MAIL_NODE_ID, 'default');
  });

  it('coerces numbers and ignores unknown variables', () => {
    const c = loadConfig({ JWT_SECRET: SECRET, GATEWAY_PORT: '8080', SOMETHING_ELSE: 'x' });
    assert.equal(c.GATEWAY_PORT, 8080);
    assert.ok(!('SOMETHING_ELSE' in c));
  });

  it('names every bad value in one error', () => {
    assert.throws(
      () => loadConfig({ JWT_SECRET: 'short', GATEWAY_PORT: '70000', DATABASE_URL: 'mysql://x', MAILPLANE_SECRET_KEY: 'abc' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        for (const key of ['JWT_SECRET', 'GATEWAY_PORT', 'DATABASE_URL', 'MAILPLANE_SECRET_KEY']) assert.match(err.message, new RegExp(key));
        return true;
      },
    );
  });

  it('lets an app require an optional key', () => {
    assert.throws(
      () => requireConfig(loadConfig({}), 'JWT_SECRET'),
      (err: unknown) => err instanceof ConfigError && /JWT_SECRET: required/.test(err.message),
    );
    assert.equal(requireConfig(loadConfig({ JWT_SECRET: SECRET }), 'JWT_SECRET').JWT_SECRET, SECRET);
  });

  it('lists its keys', () => {
    assert.ok(CONFIG_KEYS.includes('DATABASE_URL'));
    assert.ok(CONFIG_KEYS.includes('NATS_TIMEOUT_MS'));
  });
});
