// The cases of the real-client suite, and README's table of them. A case runs the
// built action once (with `endpoints` pointing at the loopback fake) and says, per
// client, what that client does with the file the action wrote: its Expectation.
// clients.test.ts runs every case; docs.test.ts renders README's table of file
// type × client from them and requires README to show exactly that table, so the
// table can say nothing that no test shows, and no test can change unnoticed by it.
//
// Cases added by issues: 11 (gcloud's endpoint variables; external_account_authorized_user
// written back as its own type), 16 (the quickstart's token.json taken as authorized_user),
// 17.1 (external_account + service_account written as an external_account with
// service_account_impersonation_url), 17.2 (token_info_url for gcloud's introspection),
// 19.7 (workload identity + service_account: the project from the service account's email).
import { externalAccountJson, impersonationUrl, readmeCell, TARGET, type Expectation, type World } from './later-steps.ts';
import { CLIENTS, type ClientName } from './run-client.ts';

/** A row of README's table: the type of file the action writes, and from what. */
export interface Row {
  /** The first cell of the row, as README shows it. */
  readonly label: string;
  /** The `type` of the credentials file. */
  readonly writes: string;
}

// A row per type of file, and per source for impersonated_service_account files, whose
// source decides where a client goes first. Cases that differ only in what the action was
// given share the row of the file they produce: the quickstart's token.json that of
// authorized_user, an external_account credentials_json that of direct workload identity
// (Google calls both workload identity federation). So do the cases that exist for one
// client or one check of the file (gcloud's endpoint variables, token_info_url, the project
// from the service account): their cells are cells of that row, and must agree with it.
const AUTHORIZED_USER: Row = { label: '`authorized_user`', writes: 'authorized_user' };
const SERVICE_ACCOUNT: Row = { label: '`service_account`', writes: 'service_account' };
const IMPERSONATED_USER: Row = { label: '`impersonated_service_account` ← `authorized_user`', writes: 'impersonated_service_account' };
const IMPERSONATED_KEY: Row = { label: '`impersonated_service_account` ← `service_account`', writes: 'impersonated_service_account' };
const EXTERNAL_ACCOUNT: Row = { label: '`external_account` (workload identity)', writes: 'external_account' };
const EXTERNAL_ACCOUNT_IMPERSONATING: Row = { label: '`external_account` + `service_account_impersonation_url`', writes: 'external_account' };
const WORKFORCE_USER: Row = { label: '`external_account_authorized_user`', writes: 'external_account_authorized_user' };

/** README's rows, in README's order. */
export const ROWS: readonly Row[] = [AUTHORIZED_USER, SERVICE_ACCOUNT, IMPERSONATED_USER, IMPERSONATED_KEY, EXTERNAL_ACCOUNT, EXTERNAL_ACCOUNT_IMPERSONATING, WORKFORCE_USER];

/** README's columns: a heading per client, and the versions that heading names (checked against the installed client). */
export const COLUMNS: Record<ClientName, { heading: string; version?: RegExp }> = {
  gcloud: { heading: 'gcloud' },
  node: { heading: 'Node google-auth-library' },
  python: { heading: "Python google-auth 2.x (gcloud's copy)", version: /^2\./ },
  'python-debian': { heading: "Python google-auth 1.5.1 (Debian's python3-google-auth)", version: /^1\.5\.1$/ },
  'token-command': { heading: '`gemini-auth-token`' },
};

export interface Case {
  name: string;
  /**
   * README's row. Several cases may share one (other inputs that write the same
   * type of file, or a case that only adds a client or a check of the file): each
   * client's cell must then read the same in all of them.
   */
  row: Row;
  inputs: (world: World) => Record<string, string>;
  env?: (world: World) => Record<string, string>;
  /** Fields the credentials file must carry, with their values. */
  fileHas?: (world: World) => Record<string, unknown>;
  /** Variables the action must export, with their values. */
  exports?: (world: World) => Record<string, string>;
  cells: Partial<Record<ClientName, Expectation>>;
}

/** A token of the target service account, refreshed through the overridden endpoints by these requests. */
const asTarget = (...requests: Extract<Expectation, { via: 'override' }>['requests']): Expectation => ({ via: 'override', requests, kind: 'service_account', principal: TARGET });
const debianRefuses = (type: string): Expectation => ({ via: 'refused', error: `does not have a valid type. Type is ${type}, expected one of ('authorized_user', 'service_account')` });

const GCLOUD_ENDPOINTS = (w: World): Record<string, string> => ({
  CLOUDSDK_AUTH_TOKEN_HOST: `${w.fake.url}/oauth2/token`,
  CLOUDSDK_API_ENDPOINT_OVERRIDES_STS: `${w.fake.url}/sts/`,
  CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS: `${w.fake.url}/iamcredentials/`,
});

export const CASES: Case[] = [
  {
    name: 'authorized_user (credentials_json)',
    row: AUTHORIZED_USER,
    inputs: (w) => ({ credentials_json: JSON.stringify(w.user.json) }),
    cells: {
      node: { via: 'default', ignores: 'token_uri', requests: [] },
      python: { via: 'default', ignores: 'token_uri', requests: [] },
      'python-debian': { via: 'default', ignores: 'token_uri', requests: [] },
      'token-command': { via: 'override', requests: ['token'], kind: 'user', principal: 'dev@example.com' },
    },
  },
  {
    name: 'issue 11: authorized_user, gcloud through CLOUDSDK_AUTH_TOKEN_HOST',
    row: AUTHORIZED_USER,
    inputs: (w) => ({ credentials_json: JSON.stringify(w.user.json) }),
    exports: GCLOUD_ENDPOINTS,
    cells: {
      gcloud: { via: 'override', requests: ['token'], kind: 'user', principal: 'dev@example.com' },
    },
  },
  {
    name: 'issue 16: the quickstart token.json, written back as authorized_user',
    row: AUTHORIZED_USER,
    inputs: (w) => ({
      credentials_json: JSON.stringify({ token: 'ya29.stale', refresh_token: w.user.refreshToken, token_uri: 'https://oauth2.googleapis.com/token', client_id: w.user.clientId, client_secret: w.user.clientSecret, scopes: ['https://www.googleapis.com/auth/cloud-platform'], universe_domain: 'googleapis.com', account: '', expiry: '2025-05-01T12:00:00Z' }),
    }),
    cells: {
      gcloud: { via: 'override', requests: ['token'], kind: 'user', principal: 'dev@example.com' },
      // No project is known (the file has no quota_project_id): getClient() looks for one first, running
      // `gcloud config config-helper` (which refreshes through CLOUDSDK_AUTH_TOKEN_HOST) and asking the metadata server.
      node: { via: 'default', ignores: 'token_uri', requests: ['token', 'metadata'] },
      python: { via: 'default', ignores: 'token_uri', requests: [] },
      'python-debian': { via: 'default', ignores: 'token_uri', requests: [] },
      'token-command': { via: 'override', requests: ['token'], kind: 'user', principal: 'dev@example.com' },
    },
  },
  {
    name: 'service_account key',
    row: SERVICE_ACCOUNT,
    inputs: (w) => ({ credentials_json: JSON.stringify(w.key.json) }),
    cells: {
      node: { via: 'default', ignores: 'token_uri', requests: [] },
      python: { via: 'override', requests: ['token'], kind: 'service_account' },
      'python-debian': { via: 'override', requests: ['token'], kind: 'service_account' },
      'token-command': { via: 'override', requests: ['token'], kind: 'service_account' },
    },
  },
  {
    name: 'issue 11: service_account, gcloud through CLOUDSDK_AUTH_TOKEN_HOST',
    row: SERVICE_ACCOUNT,
    inputs: (w) => ({ credentials_json: JSON.stringify(w.key.json) }),
    exports: GCLOUD_ENDPOINTS,
    cells: {
      // gcloud asks for an access token, then for an ID token of the same key (the fake refuses that one; gcloud goes on).
      gcloud: { via: 'override', requests: ['token', 'token'], kind: 'service_account' },
    },
  },
  {
    name: 'authorized_user + service_account: impersonated_service_account with an authorized_user source',
    row: IMPERSONATED_USER,
    inputs: (w) => ({ credentials_json: JSON.stringify(w.user.json), service_account: TARGET }),
    cells: {
      // gcloud applies auth/token_host to the file's top-level credentials only, never to an impersonation source.
      gcloud: { via: 'default', ignores: 'source_credentials.token_uri', requests: [] },
      node: { via: 'default', ignores: 'source_credentials.token_uri', requests: [] },
      python: { via: 'default', ignores: 'source_credentials.token_uri', requests: [] },
      'python-debian': debianRefuses('impersonated_service_account'),
      'token-command': asTarget('token', 'iamcredentials'),
    },
  },
  {
    name: 'service_account + service_account: impersonated_service_account with a service_account source',
    row: IMPERSONATED_KEY,
    inputs: (w) => ({ credentials_json: JSON.stringify(w.key.json), service_account: TARGET }),
    cells: {
      // The source follows its token_uri; the impersonation goes to Google's IAM Credentials host whatever the file's URL says.
      gcloud: { via: 'default', ignores: 'service_account_impersonation_url', requests: ['token'] },
      node: { via: 'default', ignores: 'source_credentials.token_uri', requests: [] },
      python: { via: 'default', ignores: 'service_account_impersonation_url', requests: ['token'] },
      'python-debian': debianRefuses('impersonated_service_account'),
      'token-command': asTarget('token', 'iamcredentials'),
    },
  },
  {
    name: 'external_account with a file source (credentials_json), project_id',
    row: EXTERNAL_ACCOUNT,
    inputs: (w) => ({ credentials_json: externalAccountJson(w), project_id: 'gemini-project' }),
    cells: {
      node: { via: 'override', requests: ['sts'], kind: 'federated' },
      python: { via: 'override', requests: ['sts'], kind: 'federated' },
      'python-debian': debianRefuses('external_account'),
      'token-command': { via: 'override', requests: ['sts'], kind: 'federated' },
    },
  },
  {
    name: 'issue 17.2: external_account with a file source, gcloud introspects through token_info_url',
    row: EXTERNAL_ACCOUNT,
    inputs: (w) => ({ credentials_json: externalAccountJson(w), project_id: 'gemini-project' }),
    fileHas: (w) => ({ token_info_url: `${w.fake.url}/sts/v1/introspect` }),
    cells: {
      gcloud: { via: 'override', requests: ['sts', 'introspect'], kind: 'federated' },
    },
  },
  {
    name: 'workload identity, project_id',
    row: EXTERNAL_ACCOUNT,
    inputs: (w) => ({ workload_identity_provider: w.provider.name, project_id: 'gemini-project' }),
    env: (w) => w.fake.oidcEnv,
    cells: {
      node: { via: 'override', requests: ['oidc', 'sts'], kind: 'federated' },
      python: { via: 'override', requests: ['oidc', 'sts'], kind: 'federated' },
      'python-debian': debianRefuses('external_account'),
      'token-command': { via: 'override', requests: ['oidc', 'sts'], kind: 'federated' },
    },
  },
  {
    name: 'issue 17.2: workload identity, gcloud introspects through token_info_url',
    row: EXTERNAL_ACCOUNT,
    inputs: (w) => ({ workload_identity_provider: w.provider.name, project_id: 'gemini-project' }),
    env: (w) => w.fake.oidcEnv,
    fileHas: (w) => ({ token_info_url: `${w.fake.url}/sts/v1/introspect` }),
    cells: {
      gcloud: { via: 'override', requests: ['oidc', 'sts', 'introspect'], kind: 'federated' },
    },
  },
  {
    name: 'external_account with service_account_impersonation_url (credentials_json), project_id',
    row: EXTERNAL_ACCOUNT_IMPERSONATING,
    inputs: (w) => ({ credentials_json: externalAccountJson(w, { service_account_impersonation_url: impersonationUrl(TARGET) }), project_id: 'gemini-project' }),
    cells: {
      gcloud: asTarget('sts', 'iamcredentials'),
      node: asTarget('sts', 'iamcredentials'),
      python: asTarget('sts', 'iamcredentials'),
      'python-debian': debianRefuses('external_account'),
      'token-command': asTarget('sts', 'iamcredentials'),
    },
  },
  {
    name: 'issue 17.1: external_account + service_account, an external_account with service_account_impersonation_url',
    row: EXTERNAL_ACCOUNT_IMPERSONATING,
    inputs: (w) => ({ credentials_json: externalAccountJson(w), service_account: TARGET, project_id: 'gemini-project' }),
    fileHas: (w) => ({ service_account_impersonation_url: `${w.fake.url}/iamcredentials/v1/projects/-/serviceAccounts/${TARGET}:generateAccessToken` }),
    cells: {
      gcloud: asTarget('sts', 'iamcredentials'),
      node: asTarget('sts', 'iamcredentials'),
      python: asTarget('sts', 'iamcredentials'),
      'python-debian': debianRefuses('external_account'),
      'token-command': asTarget('sts', 'iamcredentials'),
    },
  },
  {
    name: 'workload identity + service_account, project_id',
    row: EXTERNAL_ACCOUNT_IMPERSONATING,
    inputs: (w) => ({ workload_identity_provider: w.provider.name, service_account: TARGET, project_id: 'gemini-project' }),
    env: (w) => w.fake.oidcEnv,
    cells: {
      gcloud: asTarget('oidc', 'sts', 'iamcredentials'),
      node: asTarget('oidc', 'sts', 'iamcredentials'),
      python: asTarget('oidc', 'sts', 'iamcredentials'),
      'python-debian': debianRefuses('external_account'),
      'token-command': asTarget('oidc', 'sts', 'iamcredentials'),
    },
  },
  {
    // The project is what this case is about; its cells are those of its file type.
    name: 'issue 19.7: workload identity + service_account without project_id, the project from the service account',
    row: EXTERNAL_ACCOUNT_IMPERSONATING,
    inputs: (w) => ({ workload_identity_provider: w.provider.name, service_account: TARGET }),
    env: (w) => w.fake.oidcEnv,
    exports: () => ({ GOOGLE_CLOUD_PROJECT: 'gemini-project', CLOUDSDK_CORE_PROJECT: 'gemini-project' }),
    cells: {
      node: asTarget('oidc', 'sts', 'iamcredentials'),
      python: asTarget('oidc', 'sts', 'iamcredentials'),
    },
  },
  {
    name: 'issue 11: external_account_authorized_user, written back as its own type',
    row: WORKFORCE_USER,
    inputs: (w) => ({ credentials_json: JSON.stringify(w.workforce.json), project_id: 'gemini-project' }),
    fileHas: (w) => ({ token_url: `${w.fake.url}/sts/v1/oauthtoken`, token_info_url: `${w.fake.url}/sts/v1/introspect` }),
    cells: {
      // gcloud sends its own OAuth client (the fake's workforce user has it) and introspects for the account name.
      gcloud: { via: 'override', requests: ['sts', 'introspect'], kind: 'federated' },
      node: { via: 'override', requests: ['sts'], kind: 'federated' },
      python: { via: 'override', requests: ['sts'], kind: 'federated' },
      'python-debian': debianRefuses('external_account_authorized_user'),
      'token-command': { via: 'override', requests: ['sts'], kind: 'federated' },
    },
  },
];

/**
 * README's table, heading first, as cells: one row per file type, and in each
 * client's cell what every case of that row asserts of that client. Throws when
 * no case tests a client on a row (a missing test), or when the cases of a row
 * disagree on a client (the row hides a difference: split it).
 */
export function laterStepsTable(cases: readonly Case[] = CASES): string[][] {
  const rows = ROWS.map((row) => {
    const ofRow = cases.filter((testCase) => testCase.row === row);
    const cells = CLIENTS.map((client) => {
      const said = new Set(ofRow.flatMap((testCase) => (testCase.cells[client] ? [readmeCell(testCase.cells[client])] : [])));
      if (said.size === 0) throw new Error(`No case of test/clients/cases.ts tests ${client} on the row ${row.label}: add one.`);
      if (said.size > 1) throw new Error(`The cases of the row ${row.label} disagree on ${client} (${[...said].join(' | ')}): give them rows of their own.`);
      return [...said][0] ?? '';
    });
    return [row.label, ...cells];
  });
  return [['File the action writes', ...CLIENTS.map((client) => COLUMNS[client].heading)], ...rows];
}

/** The table as README writes it: Markdown, a line per row, the separator after the heading. */
export function laterStepsMarkdown(cases: readonly Case[] = CASES): string {
  const [heading = [], ...rows] = laterStepsTable(cases);
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(heading), `|${heading.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}
