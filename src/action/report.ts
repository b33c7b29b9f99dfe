// What the step tells the workflow: outputs, variables for later steps, the log's
// closing facts and the job summary. No secret goes anywhere here but the
// access_token output, which the runner masks.
import * as core from '@actions/core';
import type { Endpoints } from '../endpoints.ts';
import { adcEnvironment } from '../environment.ts';
import { isoSeconds, type AuthType, type MintedToken } from '../token.ts';
import type { Verification } from '../verify/types.ts';

export interface RunResult {
  readonly authType: AuthType;
  readonly token: MintedToken;
  readonly principal: string | undefined;
  readonly projectId: string | undefined;
  readonly quotaProjectId: string | undefined;
  readonly credentialsFilePath: string | undefined;
  /** With gemini_api: vertex: the location later steps are set up for. */
  readonly vertexLocation: string | undefined;
  /** This step's own gemini-auth-token, by its path: a job with several identities calls each by its own. */
  readonly tokenCommand: string;
  readonly cacheHit: boolean;
  readonly verification: Verification | undefined;
}

export function setOutputs(result: RunResult): void {
  core.setOutput('access_token', result.token.accessToken);
  // google-github-actions/auth's name for it: the same string, masked as the token already is.
  core.setOutput('auth_token', result.token.accessToken);
  core.setOutput('expires_at', isoSeconds(result.token.expiresAt));
  core.setOutput('auth_type', result.authType);
  core.setOutput('principal', result.principal ?? '');
  core.setOutput('project_id', result.projectId ?? '');
  core.setOutput('credentials_file_path', result.credentialsFilePath ?? '');
  core.setOutput('token_command', result.tokenCommand);
  core.setOutput('cache_hit', String(result.cacheHit));
  if (result.verification) {
    core.setOutput('models', JSON.stringify(result.verification.models));
    core.setOutput('verified', 'true');
  }
}

export function exportEnvironment(result: RunResult, endpoints: Endpoints): void {
  for (const [name, value] of adcEnvironment({ ...result, endpoints })) core.exportVariable(name, value);
}

/**
 * A warning when the token will not last `min_token_lifetime`: later steps
 * that use the output directly would fail part-way. Directly federated tokens
 * are the usual case: they die with the five-minute GitHub OIDC token.
 */
export function shortLifetimeWarning(expiresAt: Date, minLifetimeSeconds: number, authType: string, impersonating: boolean): string | undefined {
  const left = Math.round((expiresAt.getTime() - Date.now()) / 1000);
  if (left >= minLifetimeSeconds) return undefined;
  const why = authType === 'workload_identity' && !impersonating ? ' A directly federated token lives only as long as the GitHub OIDC token it came from.' : '';
  return `The access token expires in ${left}s, less than min_token_lifetime (${minLifetimeSeconds}s).${why} In later steps, call gemini-auth-token for a fresh token instead of using the output${why ? ', or set service_account to impersonate a service account (tokens of up to 1 h)' : ''}.`;
}

/** The facts of the run as `label: value` pairs, for the log and the job summary. No secret goes here. */
export function describeRun(result: RunResult): [string, string][] {
  const facts: [string, string][] = [
    ['Auth type', result.authType],
    ['Principal', result.principal ?? 'unknown'],
    ['Project', result.projectId ?? 'not set'],
    ['Quota project', result.quotaProjectId ?? 'not set'],
    ['Token expires', `${isoSeconds(result.token.expiresAt)} (in ${Math.round((result.token.expiresAt.getTime() - Date.now()) / 60000)} min)`],
    ['From cache', result.cacheHit ? 'yes' : 'no'],
    ['Credentials file', result.credentialsFilePath ?? 'not written'],
  ];
  const scopes = result.verification?.tokenInfo?.scopes ?? result.token.scopes;
  if (scopes?.length) facts.push(['Granted scopes', scopes.join(' ')]);
  if (result.vertexLocation) facts.push(['Vertex AI location', result.vertexLocation]);
  if (result.verification) {
    const { api, models, callable } = result.verification;
    if (api === 'vertex') facts.push(['Vertex AI model', models.join(', ')]);
    else facts.push(['Gemini models', `${models.length}: ${models.slice(0, 12).join(', ')}${models.length > 12 ? ', …' : ''}`]);
    if (callable) facts.push(['Callable (countTokens)', callable]);
  }
  return facts;
}

/** The job summary: a heading, one sentence and the facts as a table; nothing outside a runner. */
export async function writeSummary(result: RunResult): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const rows = describeRun(result).map(([label, value]) => [label, summaryText(value)]);
  await core.summary
    .addHeading('gemini-auth', 3)
    .addRaw(`Google access ${summaryText(verifiedSentence(result))}.`, true)
    .addTable([[{ data: 'What', header: true }, { data: 'Value', header: true }], ...rows])
    .write();
}

function verifiedSentence({ verification, vertexLocation }: RunResult): string {
  if (!verification) return 'token minted (not verified)';
  const { api, models, callable } = verification;
  if (api === 'vertex') return `verified on Vertex AI: ${callable ? `${callable} callable in ${vertexLocation}` : `${models.join(', ')} found`}`;
  return `verified: ${models.length} Gemini models visible${callable ? `, ${callable} callable` : ''}`;
}

/**
 * The summary is HTML inside Markdown, and its sentence and cells take text
 * only: every character that could open a tag, an entity, a link, an image,
 * code or a table column is written as an entity, so a value (a model name, a
 * principal) shows as it is and can add nothing to the page.
 */
function summaryText(text: string): string {
  return text.replace(/[&<>"'|[\]()`!]/g, (char) => `&#${char.charCodeAt(0)};`);
}
