import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as subjects from '../subjects.js';
import { BUS_APPS, BUS_CATALOG, BUS_SENDERS, mayRequest, subjectMatches } from './bus-catalog.js';
import { natsPermissionsOf, renderNatsServerConfig } from './nats-permissions.js';

/** Every request subject of subjects.ts, node subjects as node `n1` would serve them. */
const REQUEST_SUBJECTS: string[] = [
  ...[
    subjects.DomainSubjects,
    subjects.ConfigSubjects,
    subjects.AntispamSubjects,
    subjects.MailboxSubjects,
    subjects.AliasSubjects,
    subjects.DkimSubjects,
  ].flatMap((group) => Object.values(group)),
  ...Object.values(subjects.NodeSubjects).map((s) => subjects.nodeSubject('n1', s)),
];
const EVENTS = Object.values(subjects.EventSubjects).filter((s) => s !== subjects.EventSubjects.All);

describe('bus catalog', () => {
  it('matches subjects as NATS does', () => {
    assert.ok(subjectMatches('mailplane.node.*.queue.summary', 'mailplane.node.n1.queue.summary'));
    assert.ok(!subjectMatches('mailplane.node.*.queue.summary', 'mailplane.node.n1.x.queue.summary'));
    assert.ok(subjectMatches('events.>', 'events.domain.created'));
    assert.ok(!subjectMatches('events.>', 'events'));
    assert.ok(!subjectMatches('mailplane.domains.list', 'mailplane.domains.list.x'));
  });

  it('every request subject is served by exactly one app and sent by the gateway', () => {
    for (const subject of REQUEST_SUBJECTS) {
      const servers = BUS_APPS.filter((app) => BUS_CATALOG[app].serves.some((p) => subjectMatches(p, subject)));
      assert.equal(servers.length, 1, `${subject} is served by ${servers.join(', ') || 'nobody'}`);
      assert.ok(mayRequest('gateway', subject), `the gateway cannot send ${subject}`);
    }
  });

  it('every event has exactly one publisher; the worker hears them all', () => {
    for (const event of EVENTS) {
      const publishers = BUS_APPS.filter((app) => BUS_CATALOG[app].publishes.includes(event));
      assert.equal(publishers.length, 1, `${event} is published by ${publishers.join(', ') || 'nobody'}`);
      assert.ok(BUS_CATALOG.worker.listens.some((p) => subjectMatches(p, event)));
    }
  });

  it('only the gateway and the worker send requests; the worker only creates and reads mailboxes', () => {
    assert.deepEqual([...BUS_SENDERS].sort(), ['gateway', 'worker']);
    assert.ok(mayRequest('worker', subjects.MailboxSubjects.Create));
    assert.ok(!mayRequest('worker', subjects.DomainSubjects.Delete));
    assert.ok(!mayRequest('domain-service', subjects.DomainSubjects.List));
  });

  it('generates permissions with no empty allow list (which nats-server reads as "everything")', () => {
    for (const app of BUS_APPS) {
      const p = natsPermissionsOf(app);
      for (const list of [p.publish, p.subscribe]) {
        if ('allow' in list) assert.ok(list.allow.length > 0, app);
        else assert.deepEqual(list.deny, ['>'], app);
      }
    }
    assert.deepEqual(natsPermissionsOf('queue-service').publish, { deny: ['>'] });
    assert.equal(natsPermissionsOf('queue-service').allow_responses, true);
    const gatewaySubs = natsPermissionsOf('gateway').subscribe;
    assert.ok('allow' in gatewaySubs && gatewaySubs.allow.includes('_INBOX.gateway.>'), 'the gateway hears its own replies only');
    assert.equal(natsPermissionsOf('gateway').allow_responses, undefined);
  });

  it('renders a config only with a user for every app', () => {
    assert.throws(() => renderNatsServerConfig({ users: [{ app: 'gateway', user: 'gateway', password: 'x' }] }), /no bus user for: domain-service/);
    const conf = renderNatsServerConfig({ users: BUS_APPS.map((app) => ({ app, user: app, password: '$2a$04$hash' })), listen: '127.0.0.1:4223' });
    assert.match(conf, /^listen: "127\.0\.0\.1:4223"$/m);
    assert.match(conf, /"password": "\$2a\$04\$hash"/);
  });
});
