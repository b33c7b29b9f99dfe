import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cacheIdentity, open, seal } from '../../src/cache/crypto.ts';

const SECRETS = ['GOCSPX-client-secret', '1//0g-refresh-token'];
const FACTS = { type: 'authorized_user', clientId: '1234-abc.apps.googleusercontent.com', quotaProjectId: 'my-project' };
const PLAINTEXT = JSON.stringify({ access_token: 'ya29.token', expires_at: 1_800_000_000_000 });

describe('cache entries', () => {
  it('name an identity by a keyed hash that reveals none of its facts', () => {
    const identity = cacheIdentity(SECRETS, FACTS);
    assert.match(identity.prefix, /^gemini-auth-v1-[0-9a-f]{40}-$/);
    assert.equal(cacheIdentity(SECRETS, { ...FACTS }).prefix, identity.prefix, 'stable');
    assert.notEqual(cacheIdentity(['other secret'], FACTS).prefix, identity.prefix, 'keyed by the secrets');
    assert.notEqual(cacheIdentity(SECRETS, { ...FACTS, quotaProjectId: 'other' }).prefix, identity.prefix, 'covering every fact');
    assert.notEqual(cacheIdentity([SECRETS.join('')], FACTS).prefix, identity.prefix, 'secrets are not just concatenated');
  });

  it('open to the identity that sealed them, with a fresh salt and nonce each time', () => {
    const identity = cacheIdentity(SECRETS, FACTS);
    const entry = seal(identity, PLAINTEXT);
    assert.equal(open(identity, entry), PLAINTEXT);
    assert.ok(!entry.toString('latin1').includes('ya29.token'));
    assert.ok(!seal(identity, PLAINTEXT).equals(entry));
  });

  it('do not open with other secrets, nor under other facts (an entry copied to another key)', () => {
    const entry = seal(cacheIdentity(SECRETS, FACTS), PLAINTEXT);
    assert.equal(open(cacheIdentity(['GOCSPX-other', '1//0g-other'], FACTS), entry), undefined);
    assert.equal(open(cacheIdentity(SECRETS, { ...FACTS, scopes: ['x'] }), entry), undefined);
  });

  it('do not open once any byte is altered, or the entry is cut (property)', () => {
    const identity = cacheIdentity(SECRETS, FACTS);
    const entry = seal(identity, PLAINTEXT);
    fc.assert(
      fc.property(fc.nat({ max: entry.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const altered = Buffer.from(entry);
        altered.writeUInt8(altered.readUInt8(at) ^ flip, at);
        assert.equal(open(identity, altered), undefined);
        assert.equal(open(identity, entry.subarray(0, at)), undefined);
      }),
      { numRuns: 300 },
    );
  });
});
