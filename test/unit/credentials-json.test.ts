import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_CREDENTIALS_BYTES } from '../../src/credentials/json.ts';
import { parseCredentialsJson, secretValues } from '../../src/credentials/registry.ts';
import { ActionError } from '../../src/errors.ts';

const USER = {
  type: 'authorized_user',
  client_id: '1234-abc.apps.googleusercontent.com',
  client_secret: 'GOCSPX-secret-value-123',
  refresh_token: '1//0g-refresh-token-value',
  quota_project_id: 'my-project',
};
const SECRETS = [USER.client_secret, USER.refresh_token];

/** Asserts a clear ActionError whose message quotes no secret. */
function assertRefused(input: string, pattern: RegExp): void {
  assert.throws(
    () => parseCredentialsJson(input),
    (error: unknown) => {
      assert.ok(error instanceof ActionError, `not an ActionError: ${String(error)}`);
      assert.match(error.message, pattern);
      assert.ok(error.fix, 'an error must say how to fix it');
      for (const secret of SECRETS) assert.ok(!`${error.message} ${error.fix}`.includes(secret), 'the error quotes a secret');
      return true;
    },
  );
}

describe('parseCredentialsJson', () => {
  it('reads raw JSON', () => {
    assert.deepEqual(parseCredentialsJson(JSON.stringify(USER)), USER);
  });

  it('reads base64, base64url and base64 wrapped over lines', () => {
    const json = JSON.stringify(USER, null, 2);
    const b64 = Buffer.from(json).toString('base64');
    assert.deepEqual(parseCredentialsJson(b64), USER);
    assert.deepEqual(parseCredentialsJson(Buffer.from(json).toString('base64url')), USER);
    assert.deepEqual(parseCredentialsJson(b64.replace(/(.{60})/g, '$1\n')), USER);
  });

  it('ignores surrounding whitespace and a byte-order mark, raw or inside base64', () => {
    assert.deepEqual(parseCredentialsJson(`\n\t \uFEFF${JSON.stringify(USER)}  \r\n`.trim()), USER);
    assert.deepEqual(parseCredentialsJson(`\uFEFF  ${JSON.stringify(USER)}\n`), USER);
    assert.deepEqual(parseCredentialsJson(Buffer.from(`\uFEFF${JSON.stringify(USER)}`).toString('base64')), USER);
  });

  it('names the secrets of each type', () => {
    assert.deepEqual(secretValues(parseCredentialsJson(JSON.stringify(USER))), SECRETS);
    const external = { type: 'external_account', audience: 'a', subject_token_type: 't', client_secret: 'ext-secret', credential_source: { url: 'https://x', headers: { 'x-api-key': 'header-secret' } } };
    assert.deepEqual(secretValues(parseCredentialsJson(JSON.stringify(external))), ['ext-secret', 'header-secret']);
  });

  it('refuses malformed JSON without quoting it', () => {
    assertRefused(JSON.stringify(USER).slice(0, -5), /not valid JSON/);
    assertRefused(`${JSON.stringify(USER)},`, /not valid JSON/);
  });

  it('refuses text that is neither JSON nor base64 of JSON', () => {
    assertRefused('not credentials at all', /not valid JSON/);
    assertRefused(Buffer.from('just text').toString('base64'), /not valid JSON/);
  });

  it('refuses JSON that is not an object', () => {
    assertRefused('[1,2]', /JSON object/);
    assertRefused('"a string"', /JSON object/);
    assertRefused('null', /JSON object/);
  });

  it('recognises an OAuth client file given in place of credentials', () => {
    assertRefused(JSON.stringify({ installed: { client_id: 'x', client_secret: USER.client_secret } }), /OAuth client file/);
  });

  it('refuses an unknown or missing type, and a gdch_service_account key with what to use instead', () => {
    assertRefused(JSON.stringify({ ...USER, type: 'future_account' }), /has type "future_account", which gemini-auth does not take/);
    assertRefused(JSON.stringify({ ...USER, type: 'gdch_service_account' }), /is a gdch_service_account key: it signs in to Google Distributed Cloud/);
    const { type: _type, refresh_token: _refresh, ...untyped } = USER;
    assertRefused(JSON.stringify(untyped), /no "type" field/);
    assertRefused(JSON.stringify({ ...USER, type: 42 }), /no "type" field/);
  });

  it('takes the quickstart\'s token.json (no type) as authorized_user, without its stale access token and expiry', () => {
    const { type: _type, ...fields } = USER;
    const tokenJson = { ...fields, token: 'ya29.stale-access-token', token_uri: 'https://oauth2.googleapis.com/token', expiry: '2025-05-01T12:00:00Z', scopes: ['https://www.googleapis.com/auth/cloud-platform'] };
    const parsed = parseCredentialsJson(JSON.stringify(tokenJson));
    assert.equal(parsed.type, 'authorized_user');
    assert.equal(parsed.token, undefined);
    assert.equal(parsed.expiry, undefined);
    assert.deepEqual(secretValues(tokenJson).sort(), [...SECRETS, 'ya29.stale-access-token'].sort(), 'the stale token is a secret too');
  });

  it('reads an impersonated_service_account file, whose secrets are those of its source credentials', () => {
    const url = 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/target@p.iam.gserviceaccount.com:generateAccessToken';
    const file = { type: 'impersonated_service_account', service_account_impersonation_url: url, source_credentials: USER, delegates: ['projects/-/serviceAccounts/hop@p.iam.gserviceaccount.com'] };
    const parsed = parseCredentialsJson(JSON.stringify(file));
    assert.deepEqual(parsed, file);
    assert.deepEqual(secretValues(parsed), SECRETS);
    const { delegates: _delegates, ...withoutDelegates } = file;
    assert.deepEqual(parseCredentialsJson(JSON.stringify(withoutDelegates)), { ...withoutDelegates, delegates: [] });
  });

  it('refuses an impersonated_service_account file that names no account or lacks its source', () => {
    const url = 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/target@p.iam.gserviceaccount.com:generateAccessToken';
    const file = { type: 'impersonated_service_account', service_account_impersonation_url: url, source_credentials: USER };
    assertRefused(JSON.stringify({ ...file, service_account_impersonation_url: 'https://iamcredentials.googleapis.com/v1/projects/-' }), /names no service account/);
    assertRefused(JSON.stringify({ ...file, source_credentials: undefined }), /lacks the object source_credentials/);
    assertRefused(JSON.stringify({ ...file, delegates: 'hop@p.iam.gserviceaccount.com' }), /delegates that is not a list/);
    assertRefused(JSON.stringify({ ...file, source_credentials: { ...USER, refresh_token: undefined } }), /lacks the field refresh_token/);
  });

  it('flattens an impersonated_service_account nested in another into one delegation chain', () => {
    const inner = { type: 'impersonated_service_account', service_account_impersonation_url: 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/middle@p.iam.gserviceaccount.com:generateAccessToken', source_credentials: USER, delegates: ['first@p.iam.gserviceaccount.com'] };
    const outer = { type: 'impersonated_service_account', service_account_impersonation_url: 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/target@p.iam.gserviceaccount.com:generateAccessToken', source_credentials: inner, delegates: ['projects/-/serviceAccounts/last@p.iam.gserviceaccount.com'] };
    const parsed = parseCredentialsJson(JSON.stringify(outer));
    assert.deepEqual(parsed.source_credentials, USER);
    assert.deepEqual(parsed.delegates, ['first@p.iam.gserviceaccount.com', 'middle@p.iam.gserviceaccount.com', 'projects/-/serviceAccounts/last@p.iam.gserviceaccount.com']);
    assert.equal(parsed.service_account_impersonation_url, outer.service_account_impersonation_url);
  });

  it('names a missing or wrongly typed field', () => {
    for (const field of ['client_id', 'client_secret', 'refresh_token'] as const) {
      const { [field]: _removed, ...rest } = USER;
      assertRefused(JSON.stringify(rest), new RegExp(`lacks the field ${field}`));
      assertRefused(JSON.stringify({ ...USER, [field]: 12345 }), new RegExp(`non-text field ${field}`));
      assertRefused(JSON.stringify({ ...USER, [field]: '  ' }), new RegExp(`empty or non-text field ${field}`));
    }
    assertRefused(JSON.stringify({ ...USER, quota_project_id: ['x'] }), /quota_project_id that is not text/);
  });

  it('refuses a service account key whose private_key is not PEM', () => {
    assertRefused(JSON.stringify({ type: 'service_account', client_email: 'a@b.iam.gserviceaccount.com', private_key: 'abc' }), /not a PEM private key/);
  });

  it('refuses huge input before decoding it', () => {
    assertRefused(`{"type":"authorized_user","pad":"${'x'.repeat(MAX_CREDENTIALS_BYTES)}"}`, /characters long/);
  });

  it('refuses a corpus of broken files of every type with a clear error that quotes none of it', () => {
    const files = {
      authorized_user: USER,
      service_account: { type: 'service_account', client_email: 'ci@p.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n', private_key_id: 'abc' },
      external_account: { type: 'external_account', audience: '//iam.googleapis.com/x', subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', credential_source: { file: '/tmp/t' } },
    };
    const wrongValues = [null, 0, true, [], {}, ['x'], { nested: 'x' }];
    const corpus: string[] = [];
    for (const file of Object.values(files)) {
      const text = JSON.stringify(file, null, 2);
      // Truncated anywhere, raw and base64.
      for (let end = 0; end < text.length; end += 7) corpus.push(text.slice(0, end), Buffer.from(text.slice(0, end)).toString('base64'));
      // Each field of the wrong type.
      for (const field of Object.keys(file)) for (const wrong of wrongValues) corpus.push(JSON.stringify({ ...file, [field]: wrong }));
      // Wrapped, nested, padded past the limit.
      corpus.push(JSON.stringify([file]), JSON.stringify({ credentials: file }), JSON.stringify({ ...file, pad: 'x'.repeat(MAX_CREDENTIALS_BYTES) }));
    }
    corpus.push('['.repeat(20_000) + ']'.repeat(20_000), '{"a":'.repeat(5000) + '1' + '}'.repeat(5000), String.fromCharCode(...Array.from({ length: 255 }, (_, i) => i + 1)), '\uFEFF', '{}', 'null', '{"type":"authorized_user"}');
    for (const input of corpus) {
      try {
        assert.ok(Object.keys(files).includes(parseCredentialsJson(input).type));
      } catch (error) {
        assert.ok(error instanceof ActionError && error.fix, `not a clear ActionError for ${JSON.stringify(input.slice(0, 60))}: ${String(error)}`);
        for (const secret of [...SECRETS, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC']) assert.ok(!error.message.includes(secret), 'the error quotes a secret');
      }
    }
  });

  it('never throws anything but a clear ActionError, and never echoes the input (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.json({ maxDepth: 3 }),
          fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64')),
          fc.record({ type: fc.constantFrom('authorized_user', 'service_account', 'external_account', 'impersonated_service_account', 'x'), client_id: fc.anything(), client_secret: fc.anything(), refresh_token: fc.anything() }).map((v) => JSON.stringify(v) ?? ''),
        ),
        (input) => {
          try {
            parseCredentialsJson(input);
          } catch (error) {
            assert.ok(error instanceof ActionError, `unexpected ${String(error)}`);
            if (input.length >= 12) assert.ok(!error.message.includes(input), 'the message echoes the input');
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips every valid authorized_user credential, raw and base64 (property)', () => {
    const text = fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(fc.record({ client_id: text, client_secret: text, refresh_token: text }), (fields) => {
        const json = JSON.stringify({ type: 'authorized_user', ...fields });
        assert.deepEqual(parseCredentialsJson(json), { type: 'authorized_user', ...fields });
        assert.deepEqual(parseCredentialsJson(Buffer.from(json).toString('base64')), { type: 'authorized_user', ...fields });
      }),
      { numRuns: 300 },
    );
  });
});
