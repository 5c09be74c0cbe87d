import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findAliasLoop, type AliasGraph } from './alias-graph.js';

function graph(aliases: Record<string, string[]>, mailboxes: string[] = []): AliasGraph {
  return {
    destinationsOf: async (s) => aliases[s],
    isMailbox: async (a) => mailboxes.includes(a),
  };
}

describe('findAliasLoop', () => {
  it('refuses a self-loop, in any case', async () => {
    assert.equal((await findAliasLoop('a@x.example', ['A@x.example'], graph({}))).kind, 'self');
  });

  it('finds a multi-hop cycle and reports its path', async () => {
    const g = graph({ 'b@x.example': ['c@y.example'], 'c@y.example': ['a@x.example'] });
    assert.deepEqual(await findAliasLoop('a@x.example', ['b@x.example'], g), {
      kind: 'cycle',
      path: ['a@x.example', 'b@x.example', 'c@y.example', 'a@x.example'],
    });
  });

  it('follows catch-alls, but not for addresses that are mailboxes', async () => {
    const g = graph({ '@x.example': ['a@y.example'] }, ['m@x.example']);
    assert.equal((await findAliasLoop('a@y.example', ['nobody@x.example'], g)).kind, 'cycle');
    assert.equal((await findAliasLoop('a@y.example', ['m@x.example'], g)).kind, 'ok');
    assert.equal((await findAliasLoop('@y.example', ['unknown@y.example'], graph({}))).kind, 'cycle');
  });

  it('accepts chains and diamonds without loops', async () => {
    const g = graph({ 'b@x.example': ['c@x.example', 'd@x.example'], 'c@x.example': ['e@remote.example'], 'd@x.example': ['e@remote.example'] });
    assert.equal((await findAliasLoop('a@x.example', ['b@x.example', 'c@x.example'], g)).kind, 'ok');
  });
});
