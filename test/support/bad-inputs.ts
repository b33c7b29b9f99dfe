// A corpus of bad inputs, named, as the Action takes them: the Action's tests run
// each through the built action, the CLI's through the built CLI.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PROVIDER, type FakeGoogle } from './fake-google.ts';

export interface BadInput {
  inputs: Record<string, string>;
  expect: RegExp;
  env?: Record<string, string>;
  /** Secrets of the input that the fake does not know, for the leak scan. */
  secrets?: string[];
  /** Values that must be masked although the input is refused. */
  masked?: string[];
  /** Requests the action needs before it can tell (default none). */
  requests?: number;
  /** What else must hold after the run. */
  check?: () => void;
  /**
   * On Windows the input is no mistake, and is taken: the check that refuses it
   * needs mode bits, which Windows does not have (a folder's ACL says who may
   * write there; SECURITY.md, "Windows"). The credentials file then goes into
   * this folder.
   */
  takenOnWindows?: string;
}

const CLIENT_SECRET = 'GOCSPX-corpus-client-secret-4f8a2b';
const REFRESH_TOKEN = '1//0gCorpusRefreshToken-9c1d7e3f5a';
const user = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'authorized_user', client_id: '1234-abc.apps.googleusercontent.com', client_secret: CLIENT_SECRET, refresh_token: REFRESH_TOKEN, ...fields });
const externalAccount = (fields: Record<string, unknown>): string =>
  JSON.stringify({ type: 'external_account', audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q', subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', token_url: 'https://sts.googleapis.com/v1/token', credential_source: { file: '/nonexistent' }, ...fields });
const refused = (expect: RegExp, inputs: Record<string, string>, extra: Partial<BadInput> = {}): BadInput => ({ inputs, expect, secrets: [CLIENT_SECRET, REFRESH_TOKEN], ...extra });
/** A folder for credentials_file_dir in `scratch`, prepared by `make`. */
function folder(scratch: string, name: string, make: (path: string) => void): string {
  const path = join(scratch, name);
  make(path);
  return path;
}

/**
 * Each case by name: the inputs (as the Action takes them) and what must
 * follow. `scratch` is a folder of the test's own for the cases that need files.
 */
export const BAD_INPUTS: [string, (fake: FakeGoogle, scratch: string) => BadInput][] = [
  // credentials_json
  ['truncated JSON', () => refused(/credentials_json is not valid JSON/, { credentials_json: user().slice(0, -20) })],
  ['a pretty-printed file cut short', () => refused(/credentials_json is not valid JSON/, { credentials_json: JSON.stringify(JSON.parse(user()), null, 2).slice(0, -30) })],
  ['truncated base64 JSON', () => refused(/credentials_json is not valid JSON/, { credentials_json: Buffer.from(user()).toString('base64').slice(0, 60) })],
  ['a JSON array', () => refused(/must hold a JSON object/, { credentials_json: `[${user()}]` })],
  ['a JSON string', () => refused(/must hold a JSON object/, { credentials_json: JSON.stringify(user()) })],
  ['binary bytes', () => refused(/not valid JSON/, { credentials_json: String.fromCharCode(...Array.from({ length: 200 }, (_, i) => 1 + ((i * 37) % 254))) })],
  ['70 KB', () => refused(/characters long; a credentials JSON is a few kilobytes/, { credentials_json: user({ padding: 'x'.repeat(70_000) }) })],
  ['deeply nested', () => refused(/no "type" field/, { credentials_json: `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}` })],
  ['an unknown type', () => refused(/type "future_account", which gemini-auth does not take/, { credentials_json: user({ type: 'future_account' }) })],
  ['a gdch_service_account key, with what to use instead', () => refused(/credentials_json is a gdch_service_account key: it signs in to Google Distributed Cloud.*Fix: For Google Cloud, use a service_account key/, { credentials_json: user({ type: 'gdch_service_account' }) })],
  ['an impersonated_service_account file without its source', () => refused(/impersonated_service_account credentials_json lacks the object source_credentials/, { credentials_json: JSON.stringify({ type: 'impersonated_service_account', service_account_impersonation_url: 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken' }) })],
  ['no refresh_token', () => refused(/lacks the field refresh_token/, { credentials_json: user({ refresh_token: undefined }) }, { masked: [CLIENT_SECRET] })],
  ['a refresh_token that is a number', () => refused(/non-text field refresh_token/, { credentials_json: user({ refresh_token: 12345 }) }, { masked: [CLIENT_SECRET] })],
  ['a quota_project_id that is a list', () => refused(/quota_project_id that is not text/, { credentials_json: user({ quota_project_id: ['a'] }) }, { masked: [CLIENT_SECRET, REFRESH_TOKEN] })],
  ['an OAuth client file', () => refused(/OAuth client file/, { credentials_json: JSON.stringify({ installed: { client_id: 'x', client_secret: CLIENT_SECRET } }) }, { masked: [CLIENT_SECRET] })],
  ['a private_key that is not PEM', () => refused(/private_key of the service_account credentials_json is not a PEM private key/, { credentials_json: JSON.stringify({ type: 'service_account', client_email: 'ci@p.iam.gserviceaccount.com', private_key: CLIENT_SECRET }) }, { masked: [CLIENT_SECRET] })],
  ['a PEM private key of junk', () => refused(/cannot be read as an RSA private key/, { credentials_json: JSON.stringify({ type: 'service_account', client_email: 'ci@p.iam.gserviceaccount.com', private_key: `-----BEGIN PRIVATE KEY-----\n${Buffer.from(CLIENT_SECRET).toString('base64')}\n-----END PRIVATE KEY-----\n` }) })],
  ['an external_account without audience', () => refused(/external_account credentials_json lacks the field audience/, { credentials_json: JSON.stringify({ type: 'external_account', subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', credential_source: { url: 'https://x', headers: { 'x-api-key': CLIENT_SECRET } } }) }, { masked: [CLIENT_SECRET] })],
  // Which credentials
  ['both credential inputs', () => refused(/Both credentials_json and workload_identity_provider are set/, { credentials_json: user(), workload_identity_provider: DEFAULT_PROVIDER })],
  ['neither credential input', () => refused(/Neither credentials_json nor workload_identity_provider is set/, {})],
  // Workload identity and impersonation
  ['a provider named by project ID', (fake) => refused(/it needs the project NUMBER/, { workload_identity_provider: DEFAULT_PROVIDER.replace('123456789012', 'my-project') }, { env: fake.oidcEnv })],
  ['a provider that is a pool', (fake) => refused(/not a provider resource name/, { workload_identity_provider: DEFAULT_PROVIDER.replace(/\/providers\/.*$/, '') }, { env: fake.oidcEnv })],
  ['no id-token permission', () => refused(/cannot get a GitHub OIDC token.*id-token: write/, { workload_identity_provider: DEFAULT_PROVIDER })],
  ['a service_account that is no email', () => refused(/service_account must be a service account email/, { credentials_json: user(), service_account: 'gemini-ci' })],
  ['a delegate that is no email', () => refused(/delegates must be a service account email/, { credentials_json: user(), service_account: 'sa@p.iam.gserviceaccount.com', delegates: 'sa@p.iam.gserviceaccount.com\nnot an email' })],
  // Other inputs
  ['scopes with spaces', () => refused(/scopes has a value with spaces/, { credentials_json: user(), scopes: 'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/generative-language' })],
  ['scopes of commas only', () => refused(/The input scopes is empty/, { credentials_json: user(), scopes: ', ,\n,' })],
  ['a lifetime of 2 days', () => refused(/access_token_lifetime must be a duration/, { credentials_json: user(), access_token_lifetime: '2 days' })],
  ['a lifetime past 12 hours', () => refused(/access_token_lifetime must be a duration from 1s to 43200s/, { credentials_json: user(), access_token_lifetime: '13h' })],
  ['negative retries', () => refused(/retries must be a whole number from 0 to 10/, { credentials_json: user(), retries: '-1' })],
  ['a timeout of 0', () => refused(/input timeout must be a duration/, { credentials_json: user(), timeout: '0' })],
  ['verify: maybe', () => refused(/verify must be true or false/, { credentials_json: user(), verify: 'maybe' })],
  ['a universe that is no domain', () => refused(/universe must be a domain name/, { credentials_json: user(), universe: 'https://googleapis.com/' })],
  ['an unknown endpoints key', () => refused(/endpoints has an unknown key "storage"/, { credentials_json: user(), endpoints: 'storage=https://storage.googleapis.com' })],
  ['plain http to another host', () => refused(/plain http:\/\/ URL for oauth2 on 10\.0\.0\.1/, { credentials_json: user(), endpoints: 'oauth2=http://10.0.0.1/oauth2' })],
  ['credentials in an endpoint URL', () => refused(/must not carry credentials/, { credentials_json: user(), endpoints: `oauth2=https://user:${CLIENT_SECRET}@oauth2.example.com` })],
  // Header-bound inputs and values: checked before any request (a line break once reached the transport, was retried, and a leftover timer crashed)
  ['a quota_project_id with a line break', (fake) => ({ inputs: { credentials_json: JSON.stringify(fake.addUser().json), verify: 'true', quota_project_id: 'my-project\r\nx-evil: 1' }, expect: /The input quota_project_id must be a project ID such as my-project-123, not "my-project x-evil: 1 \[2 characters removed\]"/ })],
  ['a quota_project_id beyond Latin-1', (fake) => ({ inputs: { credentials_json: JSON.stringify(fake.addUser().json), verify: 'true', quota_project_id: 'projekt-€' }, expect: /The input quota_project_id must be a project ID/ })],
  ['a project_id that is a name', () => refused(/The input project_id must be a project ID such as my-project-123, not "My Project"/, { credentials_json: user(), project_id: 'My Project' })],
  ['a quota_project_id in the credentials with a line break', () => refused(/The authorized_user credentials_json has a field quota_project_id that is not a project ID/, { credentials_json: user({ quota_project_id: 'my-project\nx-evil: 1' }), verify: 'true' })],
  // Impersonation inputs
  ['delegates without service_account', () => refused(/The input delegates is set without service_account/, { credentials_json: user(), delegates: 'hop@p.iam.gserviceaccount.com' })],
  ['a universe label over 63 characters', () => refused(/universe must be a domain name/, { credentials_json: user(), universe: `${'a'.repeat(64)}.com` })],
  // Plain http to anything but literal loopback, wherever a secret goes
  ['plain http to a *.localhost name', () => refused(/plain http:\/\/ URL for oauth2 on evil\.localhost/, { credentials_json: user(), endpoints: 'oauth2=http://evil.localhost:1/oauth2' })],
  ['an external_account credential_source.url over plain http', () => refused(/The field credential_source\.url of the external_account credentials_json is a plain http:\/\/ URL on evil\.example/, { credentials_json: externalAccount({ credential_source: { url: 'http://evil.example/subject', headers: { 'x-api-key': CLIENT_SECRET } } }) }, { masked: [CLIENT_SECRET] })],
  // credentials_file_dir (refused once the token is minted, before the file is written)
  ['a folder that is a symbolic link', (fake, scratch) => {
    const target = folder(scratch, 'target', (path) => mkdirSync(path));
    // A junction on Windows, which needs no privilege there and is a symbolic link to Node; elsewhere the type is ignored.
    const link = folder(scratch, 'link', (path) => symlinkSync(target, path, 'junction'));
    const check = (): void => assert.deepEqual(readdirSync(target), [], 'nothing is written where the link points');
    return { inputs: { credentials_json: JSON.stringify(fake.addUser().json), credentials_file_dir: link }, expect: /is a symbolic link/, requests: 1, check };
  }],
  ['a world-writable folder', (fake, scratch) => {
    const open = folder(scratch, 'open', (path) => {
      mkdirSync(path);
      chmodSync(path, 0o777);
    });
    return { inputs: { credentials_json: JSON.stringify(fake.addUser().json), credentials_file_dir: open }, expect: /writable by every user and has no sticky bit/, requests: 1, takenOnWindows: open };
  }],
  ['a file as the folder', (fake, scratch) => ({ inputs: { credentials_json: JSON.stringify(fake.addUser().json), credentials_file_dir: folder(scratch, 'file', (path) => writeFileSync(path, '')) }, expect: /is not a folder/, requests: 1 })],
];
