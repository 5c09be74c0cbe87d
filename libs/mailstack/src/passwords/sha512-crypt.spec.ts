import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cryptSalt, sha512Crypt } from './sha512-crypt.js';

/** The test vectors published with the SHA-crypt specification. */
const VECTORS: [string, string, number | undefined, string][] = [
  ['saltstring', 'Hello world!', undefined, '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1'],
  [
    'saltstringsaltstring',
    'Hello world!',
    10000,
    '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
  ],
  [
    'toolongsaltstring',
    'This is just a test',
    5000,
    '$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
  ],
  [
    'anotherlongsaltstring',
    'a very much longer text to encrypt.  This one even stretches over morethan one line.',
    1400,
    '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1',
  ],
  [
    'short',
    'we have a short salt string but not a short password',
    77777,
    '$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0',
  ],
  [
    'roundstoolow',
    'the minimum number is still observed',
    10,
    '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.',
  ],
];

describe('sha512Crypt', () => {
  it('matches the specification’s test vectors', () => {
    for (const [salt, pw, rounds, expected] of VECTORS) {
      assert.equal(sha512Crypt(pw, salt, rounds), expected, `${salt}/${rounds}`);
    }
  });

  it('makes 16-character salts from the crypt alphabet', () => {
    const s = cryptSalt();
    assert.match(s, /^[./0-9A-Za-z]{16}$/);
    assert.notEqual(cryptSalt(), s);
  });
});
