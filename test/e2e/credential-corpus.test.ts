// The credentials corpus (issues 11, 16, 17, 19), as test/fixtures/credentials/manifest.ts
// expects it. Runs every case of the corpus through the built action against the loopback fake: each ends in a minted token
// with the protocol's minimum of requests and the expected ADC file, or in one
// ::error:: line that names the field and gives the fix. None ends in a stack
// trace, in "please report it", in a run past its timeout or in a leak.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { secretValues } from '../../src/credentials/registry.ts';
import { failure, runAction } from '../support/action.ts';
import type { FakeGoogle } from '../support/fake-google.ts';
import { CORPUS, type CorpusFixture, type Json } from '../fixtures/credentials/manifest.ts';
import { useFixtureWorld, type FixtureWorld } from '../fixtures/credentials/world.ts';

let fake: FakeGoogle;
let world: FixtureWorld;

useFixtureWorld((started, made) => {
  fake = started;
  world = made;
});

function read(fixture: CorpusFixture): Json {
  return JSON.parse(readFileSync(new URL(`../fixtures/credentials/${fixture.path}`, import.meta.url), 'utf8')) as Json;
}

/** The file's own secret values (the fake knows the prepared ones); short test values like "secret" would match field names. */
function ownSecrets(json: Json): string[] {
  return secretValues(json).filter((value) => value.length >= 12);
}

function title(fixture: CorpusFixture): string {
  const { expect } = fixture;
  return expect.outcome === 'mint'
    ? `${fixture.name}: mints with ${expect.requests.join(' + ')}, writes ${expect.writes}`
    : `${fixture.name}: refused, naming ${expect.names.join(', ')}`;
}

describe('the credentials corpus through the built action', () => {
  for (const fixture of CORPUS) {
    it(title(fixture), async () => {
      fake.reset();
      const original = read(fixture);
      const json = fixture.prepare ? fixture.prepare(structuredClone(original), world) : original;
      const started = Date.now();
      const { main, file } = await runAction(fake, { credentials_json: JSON.stringify(json), ...fixture.inputs }, { env: fixture.env ?? {}, secrets: ownSecrets(original), timeoutMs: 30_000 });
      const made = fake.requests.map((request) => request.endpoint);
      const log = main.stdout + main.stderr;
      assert.doesNotMatch(log, /\n\s+at .+:\d+:\d+\)?/, 'a stack trace was printed');
      assert.doesNotMatch(main.errors.join('\n'), /please report it/i, 'a configuration mistake is framed as our bug');
      assert.ok(Date.now() - started < 25_000, 'the step ran for longer than any timeout should allow');

      if (fixture.fakeLacks) {
        // The fake cannot play this case (see fakeLacks): only the failure's form can be checked.
        if (main.code !== 0) failure(main);
        return;
      }
      if (fixture.expect.outcome === 'mint') {
        assert.equal(main.code, 0, `expected a token; got: ${main.errors.join(' | ')}`);
        assert.deepEqual(made, fixture.expect.requests, 'the requests');
        assert.ok(fake.issuedTokens.has(main.outputs.access_token ?? ''), 'the token output is one the fake issued');
        assert.equal(file?.content.type, fixture.expect.writes, 'the type of the ADC file');
        for (const field of fixture.expect.fileHas ?? []) assert.ok(file?.content[field] !== undefined, `the ADC file has ${field}`);
      } else {
        const message = failure(main);
        for (const name of fixture.expect.names) assert.ok(message.includes(name), `the error names ${name}: ${message}`);
        const fix = message.slice(message.indexOf(' Fix: '));
        assert.ok(message.includes(' Fix: ') && fix.includes(fixture.expect.fix), `the fix says "${fixture.expect.fix}": ${message}`);
        assert.deepEqual(made, fixture.expect.requests, 'the requests before the refusal');
      }
    });
  }
});
