import assert from 'node:assert/strict';
import { BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import { describe, it } from 'node:test';
import { CommonError, CommonErrorCode, DomainError, DomainErrorCode } from '#contracts';
import { RpcReplyError } from '../nats/nats-rpc.client.js';
import { toHttpError } from './http-error.mapper.js';

const silent = new Logger('test');
silent.error = () => undefined;

describe('toHttpError', () => {
  it('maps module errors through their code to status and envelope', () => {
    const r = toHttpError(new DomainError(DomainErrorCode.NameTaken, 'Domain exists', 'The domain a.example already exists.'), silent);
    assert.equal(r.status, 409);
    assert.deepEqual(r.body, { error: 'Domain exists', detail: 'The domain a.example already exists.', code: 'CONFLICT' });
    assert.equal(toHttpError(new CommonError(CommonErrorCode.UpstreamTimeout, 't'), silent).status, 504);
    assert.equal(toHttpError(new CommonError(CommonErrorCode.DependencyUnavailable, 'd'), silent).status, 503);
  });

  it('passes a service error reply through, status taken from its code', () => {
    const r = toHttpError(new RpcReplyError({ status: 404, code: 'NOT_FOUND' as never, error: 'Domain not found', detail: 'No domain x' }), silent);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { code: 'NOT_FOUND', error: 'Domain not found', detail: 'No domain x' });
  });

  it('maps Fastify body errors, also when Nest wrapped them', () => {
    const fst = Object.assign(new Error('Body is not valid JSON'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400, name: 'FastifyError' });
    assert.equal(toHttpError(fst, silent).body.error, 'Malformed JSON');
    const wrapped = new BadRequestException('x', { cause: fst });
    assert.equal(toHttpError(wrapped, silent).body.error, 'Malformed JSON');
    assert.equal(toHttpError(Object.assign(new Error('m'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), silent).status, 415);
  });

  it('logs a client that closed the connection mid-request at info, not as an unhandled error', () => {
    const levels: string[] = [];
    const logger = new Logger('t');
    logger.error = () => void levels.push('error');
    logger.log = () => void levels.push('info');
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const r = toHttpError(aborted, logger, { method: 'POST', url: '/api/v1/domains' });
    assert.equal(r.status, 400);
    assert.equal(r.body.error_id, undefined);
    toHttpError(new BadRequestException('x', { cause: aborted }), logger);
    assert.deepEqual(levels, ['info', 'info']);
    // Another ECONNRESET (an upstream connection reset) is still an error.
    toHttpError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), logger);
    assert.deepEqual(levels, ['info', 'info', 'error']);
  });

  it('turns an unknown route into NOT_FOUND naming the route', () => {
    const r = toHttpError(new NotFoundException(), silent, { method: 'GET', url: '/api/v1/x?y=1' });
    assert.deepEqual(r.body, { error: 'Not found', detail: 'No route GET /api/v1/x', code: 'NOT_FOUND' });
  });

  it('hides anything unexpected behind a 500 with an error id', () => {
    let logged: unknown;
    const logger = new Logger('t');
    logger.error = (m: unknown) => {
      logged = m;
    };
    const r = toHttpError(new Error('relation "secret_table" does not exist at SELECT * FROM x'), logger);
    assert.equal(r.status, 500);
    assert.equal(r.body.code, 'INTERNAL_ERROR');
    assert.ok(!JSON.stringify(r.body).includes('secret_table'));
    assert.match(r.body.error_id!, /^[0-9a-f-]{36}$/);
    assert.equal((logged as { error_id: string }).error_id, r.body.error_id);
  });

  it('logs no SQL parameters of a failed query', () => {
    let logged = '';
    const logger = new Logger('t');
    logger.error = (m: unknown) => {
      logged = JSON.stringify(m);
    };
    const err = Object.assign(new Error('duplicate key value'), { name: 'QueryFailedError', query: 'INSERT ...', parameters: ['s3cr3t-hash'] });
    toHttpError(err, logger);
    assert.ok(logged.includes('duplicate key value'));
    assert.ok(!logged.includes('s3cr3t-hash') && !logged.includes('INSERT'));
  });
});
