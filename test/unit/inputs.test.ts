import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isLoopbackHost, resolveEndpoints, tokenUrl } from '../../src/endpoints.ts';
import { ActionError } from '../../src/errors.ts';
import { INPUT_DEFAULTS, parseBoolean, parseDuration, readInputs, type InputName } from '../../src/inputs.ts';
import { maskRawInput } from '../../src/credentials/registry.ts';
import { maskSecret } from '../../src/secrets.ts';

const reader = (values: Partial<Record<InputName, string>>) => (name: InputName) => values[name] ?? '';

describe('readInputs', () => {
  it('applies the defaults of action.yml when nothing is set', () => {
    const inputs = readInputs(reader({}));
    assert.deepEqual(inputs.scopes, ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/generative-language.retriever']);
    assert.equal(inputs.accessTokenLifetimeSeconds, 3600);
    assert.equal(inputs.createCredentialsFile, true);
    assert.equal(inputs.verify, false);
    assert.equal(inputs.retries, 3);
    assert.equal(inputs.minTokenLifetimeSeconds, 600);
    assert.equal(inputs.universe, 'googleapis.com');
  });

  it('keeps the defaults identical to action.yml', () => {
    const yaml = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8');
    for (const [name, value] of Object.entries(INPUT_DEFAULTS)) {
      const block = new RegExp(`\\n  ${name}:\\n(?:    .*\\n)*?    default: '((?:[^']|'')*)'`).exec(yaml);
      assert.ok(block, `action.yml does not declare ${name} with a default`);
      assert.equal(block[1]?.replace(/''/g, "'"), value, `default of ${name}`);
    }
  });

  it('splits scopes and delegates on commas and new lines', () => {
    const inputs = readInputs(reader({ scopes: 'a,\n b , ,c\n', delegates: 'x@y.iam.gserviceaccount.com\nz@y.iam.gserviceaccount.com' }));
    assert.deepEqual(inputs.scopes, ['a', 'b', 'c']);
    assert.equal(inputs.delegates.length, 2);
  });

  it('takes access_token_scopes for scopes, also beside scopes at its default, and refuses two different lists', () => {
    assert.deepEqual(readInputs(reader({ access_token_scopes: 'a, b' })).scopes, ['a', 'b']);
    assert.deepEqual(readInputs(reader({ scopes: INPUT_DEFAULTS.scopes, access_token_scopes: 'a' })).scopes, ['a'], 'the default the runner fills in');
    assert.deepEqual(readInputs(reader({ scopes: 'b,a', access_token_scopes: 'a\nb' })).scopes, ['a', 'b'], 'the same scopes');
    assert.throws(() => readInputs(reader({ scopes: 'a', access_token_scopes: 'b' })), (error: unknown) => error instanceof ActionError && /scopes and access_token_scopes are both set and name different scopes \(scopes: a; access_token_scopes: b\)/.test(error.message));
    assert.throws(() => readInputs(reader({ access_token_scopes: ', ,' })), /The input access_token_scopes is empty/);
  });

  it('names the input and the fix for a bad value', () => {
    for (const [name, value, pattern] of [
      ['verify', 'maybe', /verify must be true or false/],
      ['retries', '-1', /retries must be a whole number/],
      ['retries', '99', /retries must be a whole number from 0 to 10/],
      ['access_token_lifetime', '2 days', /access_token_lifetime must be a duration/],
      ['access_token_lifetime', '0s', /access_token_lifetime must be a duration/],
      ['scopes', 'a b', /scopes has a value with spaces/],
      ['universe', 'not a domain', /universe must be a domain/],
    ] as const) {
      assert.throws(() => readInputs(reader({ [name]: value })), (error: unknown) => error instanceof ActionError && pattern.test(error.message) && !!error.fix, `${name}=${value}`);
    }
  });

  it('reads durations in seconds, minutes and hours', () => {
    assert.equal(parseDuration('x', '90', 1, 43200), 90);
    assert.equal(parseDuration('x', '90s', 1, 43200), 90);
    assert.equal(parseDuration('x', '15m', 1, 43200), 900);
    assert.equal(parseDuration('x', '2H', 1, 43200), 7200);
  });

  it('reads any duration text as whole seconds within its bounds, or refuses it clearly (property)', () => {
    const spelled = fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom('', 's', 'm', 'h', 'S', 'M', 'H', ' s', 'd', 'ms'), fc.constantFrom('', ' ', '\t'));
    fc.assert(
      fc.property(fc.oneof(spelled.map(([n, unit, pad]) => `${pad}${n}${unit}${pad}`), fc.string({ maxLength: 20 }), fc.constantFrom('1e3', '0x10', '-5s', '3600.5s', 'Infinity', 'NaN', '٣٦٠٠')), (text) => {
        try {
          const seconds = parseDuration('lifetime', text, 1, 43200);
          assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 43200, `${text} -> ${seconds}`);
        } catch (error) {
          assert.ok(error instanceof ActionError && error.fix, `unexpected ${String(error)}`);
          assert.match(error.message, /must be a duration from 1s to 43200s/);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('reads every spelling of a boolean and refuses the rest (property)', () => {
    for (const word of ['true', 'TRUE', 'yes', 'on', '1']) assert.equal(parseBoolean('b', word), true);
    for (const word of ['false', 'No', 'off', '0']) assert.equal(parseBoolean('b', word), false);
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (text) => {
        try {
          assert.equal(typeof parseBoolean('b', text), 'boolean');
        } catch (error) {
          assert.ok(error instanceof ActionError);
        }
      }),
    );
  });

  it('never throws anything but an ActionError for any input values (property)', () => {
    const names = Object.keys(INPUT_DEFAULTS) as InputName[];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.oneof(fc.string({ maxLength: 50 }), fc.constantFrom('true', '3600s', '0', 'https://x'))), (values) => {
        try {
          readInputs(reader(values as Partial<Record<InputName, string>>));
        } catch (error) {
          assert.ok(error instanceof ActionError, `unexpected ${String(error)}`);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('resolveEndpoints', () => {
  it('derives every base URL from the universe', () => {
    const endpoints = resolveEndpoints('example-universe.com', '');
    assert.equal(endpoints.base.generativelanguage, 'https://generativelanguage.example-universe.com');
    assert.equal(tokenUrl(endpoints), 'https://oauth2.example-universe.com/token');
    assert.equal(endpoints.overridden.size, 0);
  });

  it('takes overrides, https anywhere and http on loopback only', () => {
    const endpoints = resolveEndpoints('googleapis.com', 'oauth2=https://oauth2-psc.p.googleapis.com/\n\nsts = http://127.0.0.1:8080/sts\ngenerativelanguage=http://[::1]:9/g\niamcredentials=http://localhost:1');
    assert.equal(tokenUrl(endpoints), 'https://oauth2-psc.p.googleapis.com/token');
    assert.equal(endpoints.base.sts, 'http://127.0.0.1:8080/sts');
    assert.deepEqual([...endpoints.overridden].sort(), ['generativelanguage', 'iamcredentials', 'oauth2', 'sts']);
  });

  it('refuses plain http to any other host, unknown keys, duplicates and bad URLs', () => {
    for (const [text, pattern] of [
      ['oauth2=http://10.0.0.1/x', /unencrypted/],
      ['oauth2=http://example.com', /unencrypted/],
      ['oauth2=http://127.example.com', /unencrypted/],
      ['storage=https://x', /unknown key "storage"/],
      ['oauth2=https://a\noauth2=https://b', /names oauth2 twice/],
      ['oauth2=not a url', /invalid URL/],
      ['oauth2=https://user:pw@host', /credentials, a query/],
      ['oauth2=ftp://host', /must start with https/],
    ] as const) {
      assert.throws(() => resolveEndpoints('googleapis.com', text), (error: unknown) => error instanceof ActionError && pattern.test(error.message), text);
    }
  });

  it('yields only https URLs, or plain http to a loopback host, from any text (property)', () => {
    const key = fc.constantFrom('oauth2', 'sts', 'iamcredentials', 'generativelanguage', 'storage', '', ' sts ');
    const url = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.webUrl().map((text) => text.replace(/^https/, 'http')),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('http://127.0.0.1:1/x', 'http://[::1]/', 'https://user:pw@host/', 'http://u@127.0.0.1/', 'http://localhost.evil.example/', 'http://127.0.0.1.nip.io/', 'http://0x7f000001/', 'http://[::ffff:10.0.0.1]/', 'javascript:alert(1)', 'file:///etc/passwd', 'https://h/%0d%0a'),
    );
    const lines = fc.array(fc.tuple(key, fc.constantFrom('=', ' = ', ''), url).map((parts) => parts.join('')), { maxLength: 5 }).map((list) => list.join('\n'));
    fc.assert(
      fc.property(fc.oneof(lines, fc.string({ maxLength: 100 })), (text) => {
        let endpoints;
        try {
          endpoints = resolveEndpoints('googleapis.com', text);
        } catch (error) {
          assert.ok(error instanceof ActionError && error.fix, `unexpected ${String(error)}`);
          return;
        }
        for (const base of Object.values(endpoints.base)) {
          const parsed = new URL(base);
          assert.ok(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)), base);
          assert.equal(parsed.username + parsed.password + parsed.search + parsed.hash, '', base);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('knows loopback hosts', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]']) assert.equal(isLoopbackHost(host), true, host);
    // *.localhost goes to DNS on many systems: only literal loopback addresses and localhost itself count.
    for (const host of ['10.0.0.1', 'example.com', '::2', '128.0.0.1', 'localhost.example.com', 'a.localhost', 'evil.localhost']) assert.equal(isLoopbackHost(host), false, host);
  });
});

describe('masking', () => {
  it('registers a secret, each line of a multi-line one, and its escaped spellings', () => {
    const masks: string[] = [];
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\nAQEFAASCBKcwggSjAgEAAoIB\n-----END PRIVATE KEY-----\n';
    maskSecret(key, (value) => masks.push(value));
    assert.ok(masks.includes(key));
    assert.ok(masks.includes('MIIEvQIBADANBgkqhkiG9w0B'));
    assert.ok(masks.includes(JSON.stringify(key).slice(1, -1)));
    assert.ok(!masks.includes('-----BEGIN PRIVATE KEY-----'), 'PEM armour is not a secret');
    masks.length = 0;
    maskSecret('1//0g/refresh+token', (value) => masks.push(value));
    assert.ok(masks.includes('1%2F%2F0g%2Frefresh%2Btoken'));
  });

  it('masks a raw input as a whole, by its long lines, and each secret field in it, before any validation', () => {
    const masks: string[] = [];
    const raw = '{\n  "refresh_token": "1//0g-abcdefghijklmnop"\n}';
    maskRawInput(raw, (value) => masks.push(value));
    assert.ok(masks.includes(raw) && masks.includes('"refresh_token": "1//0g-abcdefghijklmnop"'));
    assert.ok(masks.includes('1//0g-abcdefghijklmnop') && masks.includes('1%2F%2F0g-abcdefghijklmnop'), 'the secret field, though the file lacks its type');
    assert.ok(!masks.includes('{') && !masks.includes('}'));
  });

  it('masks every secret field of any credentials JSON, raw or base64, valid or not (property)', () => {
    const secret = fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text.trim() !== '');
    const junk = fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.string({ maxLength: 10 }));
    const file = fc.record(
      {
        type: fc.oneof(fc.constantFrom('authorized_user', 'service_account', 'external_account'), junk),
        client_id: fc.oneof(fc.string(), junk),
        client_secret: secret,
        refresh_token: secret,
        private_key: secret,
        credential_source: fc.record({ headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), secret, { maxKeys: 2 }) }),
        installed: fc.record({ client_secret: secret }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(file, fc.boolean(), fc.boolean(), (json, pretty, base64) => {
        const text = JSON.stringify(json, null, pretty ? 2 : undefined);
        const masks = new Set<string>();
        maskRawInput(base64 ? Buffer.from(text).toString('base64') : text, (value) => masks.add(value));
        const expected = [json.client_secret, json.refresh_token, json.private_key, json.installed?.client_secret, ...Object.values(json.credential_source?.headers ?? {})];
        for (const value of expected) if (value !== undefined) assert.ok(masks.has(value), `${JSON.stringify(value)} is not masked`);
      }),
      { numRuns: 300 },
    );
  });
});
