// A CI step: a Google client library in a later step finds the credentials the action
// wrote through GOOGLE_APPLICATION_CREDENTIALS, as every client library does, gets a
// token from that file by itself and lists the Gemini models at the fake with it.
//
// google-auth-library honours the URLs of an external_account file (token_url,
// service_account_impersonation_url, credential_source.url), so workload identity
// runs against the fake as written. It ignores token_uri in authorized_user files:
// its token URL is fixed. This step checks that this is still so, then passes the
// file's token_uri the way a user behind Private Service Connect would
// (clientOptions.endpoints), so the refresh still comes from the file's contents.
import { readFileSync } from 'node:fs';
import { GoogleAuth, type GoogleAuthOptions } from 'google-auth-library';

const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

function fail(message: string): never {
  console.error(`::error::${message}`);
  process.exit(1);
}

const path = process.env['GOOGLE_APPLICATION_CREDENTIALS'];
const models = process.env['FAKE_GOOGLE_GENERATIVELANGUAGE_URL'];
if (!path) fail('GOOGLE_APPLICATION_CREDENTIALS is not set: the action did not export it.');
if (!models) fail('FAKE_GOOGLE_GENERATIVELANGUAGE_URL is not set: start the fake first (node scripts/ci/start-fake-google.ts).');
// Without a project in the environment the library looks one up, at cloudresourcemanager and the metadata server: not on loopback.
if (!process.env['GOOGLE_CLOUD_PROJECT']) fail('GOOGLE_CLOUD_PROJECT is not set: the action exports it when it knows the project (set its project_id input).');
const file = JSON.parse(readFileSync(path, 'utf8')) as { type?: string; token_uri?: string };

const options: GoogleAuthOptions = { scopes: ['https://www.googleapis.com/auth/cloud-platform'] };
if (file.type === 'authorized_user') {
  if (!file.token_uri?.startsWith(process.env['FAKE_GOOGLE_OAUTH2_URL'] ?? '\0')) fail(`The authorized_user file does not carry the endpoints override as token_uri (${file.token_uri}).`);
  const plain = (await new GoogleAuth(options).getClient()) as unknown as { endpoints?: { oauth2TokenUrl?: unknown } };
  const used = String(plain.endpoints?.oauth2TokenUrl);
  if (used !== GOOGLE_TOKEN_URL) fail(`google-auth-library now refreshes authorized_user files at ${used}, not at ${GOOGLE_TOKEN_URL}: drop the clientOptions workaround in scripts/ci/adc-client.ts.`);
  console.log(`google-auth-library ignores the file's token_uri (it would refresh at ${used}); passing it as clientOptions.endpoints.oauth2TokenUrl.`);
  options.clientOptions = { endpoints: { oauth2TokenUrl: file.token_uri } };
} else if (file.type !== 'external_account') {
  fail(`This check knows authorized_user and external_account files, not ${file.type}.`);
}

const client = await new GoogleAuth(options).getClient();
const answer = await client.request<{ models?: { name: string }[] }>({ url: `${models}/v1beta/models` });
const names = (answer.data.models ?? []).map((model) => model.name);
if (!names.includes('models/gemini-2.5-flash')) fail(`google-auth-library got a token, but the model list lacks models/gemini-2.5-flash: ${names.join(', ')}`);
console.log(`google-auth-library read the ${file.type} file at GOOGLE_APPLICATION_CREDENTIALS, refreshed from it and listed ${names.length} models.`);
