import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ActionError } from '../../src/errors.ts';
import { githubOidcSupplier } from '../../src/credentials/github-oidc.ts';
import { resolveSource } from '../../src/credentials/resolve.ts';
import { readInputs, type InputName } from '../../src/inputs.ts';
import { authSettings } from '../../src/settings.ts';

const OIDC_ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/oidc?api-version=2.0', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token-value' };
const PEM = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const VALID = {
  authorized_user: { type: 'authorized_user', client_id: 'id.apps.googleusercontent.com', client_secret: 'GOCSPX-secret', refresh_token: '1//0g-refresh' },
  service_account: { type: 'service_account', client_email: 'ci@p.iam.gserviceaccount.com', private_key: PEM, project_id: 'my-project' },
  external_account: { type: 'external_account', audience: '//iam.googleapis.com/x', subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', credential_source: { file: '/nowhere' } },
} as const;

/** The settings and source of these inputs: a source, or a clear ActionError; anything else fails the property. */
function resolve(values: Partial<Record<InputName, string>>): ReturnType<typeof resolveSource> | ActionError {
  try {
    return resolveSource(authSettings(readInputs((name) => values[name] ?? '')), () => githubOidcSupplier(OIDC_ENV, { mask: () => {} }));
  } catch (error) {
    assert.ok(error instanceof ActionError && error.fix, `unexpected ${String(error)}`);
    return error;
  }
}

const providerName = fc
  .tuple(
    fc.constantFrom('', '//iam.googleapis.com/', 'https://iam.googleapis.com/', 'iam.googleapis.com/'),
    fc.oneof(fc.nat().map(String), fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/)),
    fc.constantFrom('global', 'global', 'us-east1', ''),
    fc.oneof(fc.stringMatching(/^[a-z0-9-]{2,34}$/), fc.string({ maxLength: 10 })),
    fc.oneof(fc.stringMatching(/^[a-z0-9-]{2,34}$/), fc.string({ maxLength: 10 })),
  )
  .map(([prefix, project, location, pool, provider]) => `${prefix}projects/${project}/locations/${location}/workloadIdentityPools/${pool}/providers/${provider}`);
const email = fc.oneof(fc.emailAddress(), fc.emailAddress().map((address) => address.replace('@', '@@')), fc.string({ maxLength: 40 }), fc.constantFrom('a@b', 'sa@p.iam.gserviceaccount.com', ' @x.io', 'name@project-id.iam.gserviceaccount.com\nevil'));

describe('resolveSource (fuzzed)', () => {
  it('takes any provider name, audience, service account and delegates: a source or a clear error (property)', () => {
    const valid = resolve({ workload_identity_provider: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/pool/providers/prov', service_account: 'sa@p.iam.gserviceaccount.com' });
    assert.ok(!(valid instanceof ActionError), 'the generators aim around a valid input');
    fc.assert(
      fc.property(fc.oneof(providerName, fc.string({ maxLength: 60 })), fc.string({ maxLength: 40 }), fc.option(email), fc.array(email, { maxLength: 2 }), (provider, audience, account, delegates) => {
        const source = resolve({ workload_identity_provider: provider, audience, service_account: account ?? '', delegates: delegates.join('\n') });
        if (source instanceof ActionError) return;
        assert.equal(source.authType, 'workload_identity');
        if (account) assert.match(account, /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i, 'only an email is impersonated');
      }),
      { numRuns: 1000 },
    );
  });

  it('takes any credentials JSON of any type, with any field changed: a source or a clear error (property)', () => {
    let accepted = 0;
    const field = fc.constantFrom('type', 'client_id', 'client_secret', 'refresh_token', 'client_email', 'private_key', 'audience', 'subject_token_type', 'quota_project_id', 'credential_source', 'token_url');
    const value = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(fc.string(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }));
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(VALID)), fc.array(fc.tuple(field, value), { maxLength: 3 }), fc.boolean(), (file, changes, base64) => {
        const json = JSON.stringify({ ...file, ...Object.fromEntries(changes) });
        const source = resolve({ credentials_json: base64 ? Buffer.from(json).toString('base64') : json });
        if (source instanceof ActionError) return;
        accepted++;
        assert.ok(Object.keys(VALID).includes(source.authType));
      }),
      { numRuns: 500 },
    );
    assert.ok(accepted > 0, 'the generators reach valid inputs too');
  });

  it('refuses a private key that is PEM armour around junk, without quoting it', () => {
    const junk = '-----BEGIN PRIVATE KEY-----\nTm90IGEga2V5IGF0IGFsbCwganVzdCB0ZXh0\n-----END PRIVATE KEY-----\n';
    const error = resolve({ credentials_json: JSON.stringify({ ...VALID.service_account, private_key: junk }) });
    assert.ok(error instanceof ActionError);
    assert.match(error.message, /cannot be read as an RSA private key/);
    assert.ok(!error.message.includes('Tm90IGEga2V5'));
  });
});
