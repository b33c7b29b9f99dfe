// The main step: authenticate, write what later steps need, report.
import * as core from '@actions/core';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTokenCache, tokenCacheIdentity } from '../cache/actions-cache.ts';
import { withCommonFields } from '../credentials/adc-file.ts';
import { githubOidcSupplier } from '../credentials/github-oidc.ts';
import { maskRawInput } from '../credentials/registry.ts';
import { resolveSource } from '../credentials/resolve.ts';
import { unknownProjectWarning } from '../environment.ts';
import { failureMessage } from '../errors.ts';
import { created, createFolders, requireStillOurs } from '../files/folders.ts';
import { credentialsDirectory, CREDENTIALS_FOLDER, isInsideWorkspace, runnerTemp, writeSecretJson } from '../files/secret-file.ts';
import { httpPolicy } from '../google/http.ts';
import type { GoogleContext } from '../google/protocol.ts';
import { inputWarnings } from '../inputs.ts';
import { authSettings } from '../settings.ts';
import { hasShape, logLine, untrusted } from '../untrusted.ts';
import { preconnectVerify, verifyAccess, verifyTarget } from '../verify.ts';
import type { Verification, VerifyRequest } from '../verify/types.ts';
import { own } from './cleanup-state.ts';
import { readActionInputs } from './inputs.ts';
import { runnerLog as log } from './log.ts';
import { describeRun, exportEnvironment, setOutputs, shortLifetimeWarning, writeSummary, type RunResult } from './report.ts';
import { pathEntryProblem, type TokenCommandLaunch } from './token-command-shims.ts';
import { createTokenFolder, installTokenCommand, TOKEN_FOLDER } from './token-folder.ts';

/**
 * The token command runs on the Node that runs this step, with the same Node
 * options. Its script is the bundle beside this step's own in dist/, or, when
 * this step runs from its source (under @github/local-action), the source.
 */
function tokenCommandLaunch(): TokenCommandLaunch {
  const here = fileURLToPath(import.meta.url);
  const script = here.endsWith('.ts') ? join(dirname(here), 'token-command.ts') : join(dirname(here), '..', 'token', 'index.js');
  return { node: process.execPath, nodeOptions: process.execArgv, script };
}

/** Runs the main step; a failure is reported as the step's one error line, never thrown. */
export async function run(): Promise<void> {
  try {
    await authenticate();
  } catch (error) {
    core.endGroup();
    core.setFailed(failureMessage(error));
  }
}

async function authenticate(): Promise<void> {
  // Mask the raw secret inputs before anything parses, validates or logs them.
  maskRawInput(core.getInput('credentials_json'), log.mask);
  maskRawInput(core.getInput('cache_encryption_key'), log.mask);

  const inputs = readActionInputs();
  for (const warning of inputWarnings(inputs)) log.warn(warning);
  const settings = authSettings(inputs);
  const { endpoints } = settings;
  const source = resolveSource(settings, () => githubOidcSupplier(process.env, log));
  const projectId = inputs.projectId || source.projectId;
  const quotaProjectId = inputs.quotaProjectId || source.quotaProjectId || projectId;
  const target = inputs.verify ? verifyTarget(inputs, projectId) : undefined;
  const vertexLocation = inputs.geminiApi === 'vertex' ? inputs.vertexLocation : undefined;
  if (vertexLocation && !projectId) log.warn('gemini_api is vertex, but no project is known, so GOOGLE_CLOUD_PROJECT is not exported and the Google Gen AI SDK will not know which project to call. Set the input project_id.');
  const cacheIdentity = inputs.cache ? tokenCacheIdentity(source.cacheBinding, source.authType, inputs.cacheEncryptionKey, { endpoints: endpoints.base, quotaProjectId }) : undefined;
  // Resolved before the cache has its turn: a cache call the run stops waiting for keeps GITHUB_WORKSPACE on its own folder.
  const credentialsDir = inputs.createCredentialsFile ? credentialsDirectory(inputs.credentialsFileDir) : undefined;
  const inWorkspace = credentialsDir !== undefined && isInsideWorkspace(credentialsDir);
  // The description quotes fields of the credentials JSON (a client ID, an audience).
  core.startGroup(logLine(`Authenticating with ${source.description}`));

  const folder = createTokenFolder(runnerTemp());
  own(folder, 'folder');
  const cache = cacheIdentity ? await openTokenCache(cacheIdentity, folder, inputs.minTokenLifetimeSeconds, log) : undefined;
  const cached = await cache?.restore();
  // The deadline of the requests to Google starts once the cache (bounded on its own) had its say.
  const context = { endpoints, http: httpPolicy(inputs, log.debug), log };
  if (target) preconnectVerify(target, endpoints);
  const token = cached ?? (await source.mint(context));
  if (!cached) log.info(`Minted a new access token${token.principal ? ` for ${token.principal}` : ''}.`);

  const fileSettings = { endpoints, quotaProjectId, universe: inputs.universe };
  const credentials = withCommonFields(source.credentialsFile(fileSettings), fileSettings);
  let credentialsFilePath: string | undefined;
  if (credentialsDir !== undefined) {
    if (inWorkspace) {
      log.warn(`The credentials file goes into ${credentialsDir}, inside the workspace, where an upload-artifact, cache or docker build step could pick it up. Leave credentials_file_dir unset (it defaults to $RUNNER_TEMP), or keep the file out: add gemini-auth-*.json to .gitignore and .dockerignore, and a line !**/gemini-auth-*.json to the path of upload-artifact and cache steps.`);
    }
    for (const made of createFolders(credentialsDir, CREDENTIALS_FOLDER)) own(made, 'empty-folder');
    credentialsFilePath = writeSecretJson(credentialsDir, credentials);
    own(created(credentialsFilePath), 'file');
    log.info(`Wrote the credentials file ${credentialsFilePath} (mode 0600; the post step removes it).`);
  }
  // gemini-auth-token refreshes from the ADC file; without one, from a copy in its own folder.
  const refreshFrom = credentialsFilePath ?? writeSecretJson(requireStillOurs(folder, TOKEN_FOLDER), credentials, TOKEN_FOLDER);
  const installed = installTokenCommand(folder, inputs, refreshFrom, token, tokenCommandLaunch());
  // An entry with the separator in it would become two, one of them perhaps relative to the working directory.
  const notOnPath = pathEntryProblem(installed.bin, delimiter);
  if (notOnPath) log.warn(notOnPath);
  else core.addPath(installed.bin);

  const verification = target ? await verified({ accessToken: token.accessToken, authType: source.authType, quotaProjectId, principal: token.principal, member: token.member, target }, context) : undefined;

  core.endGroup();

  const result: RunResult = {
    authType: source.authType,
    token,
    principal: acceptedPrincipal(verification?.tokenInfo?.email ?? token.principal ?? verification?.tokenInfo?.subject),
    projectId: acceptedProject(projectId),
    quotaProjectId: acceptedProject(quotaProjectId),
    credentialsFilePath,
    vertexLocation,
    tokenCommand: installed.command,
    cacheHit: cached !== undefined,
    verification,
  };
  setOutputs(result);
  if (inputs.exportEnvironmentVariables) exportEnvironment(result, endpoints);
  for (const [label, value] of describeRun(result)) log.info(`${label}: ${value}`);
  const noProject = unknownProjectWarning(source.authType, projectId);
  if (noProject) log.warn(noProject);
  const shortLived = shortLifetimeWarning(token.expiresAt, inputs.minTokenLifetimeSeconds, source.authType, inputs.serviceAccount !== '');
  if (shortLived) log.warn(shortLived);
  await writeSummary(result);
  // After the outputs: a slow cache delays nothing later steps need.
  if (cache && !cached) await cache.save(token);
}

/**
 * A project for outputs and variables: a project ID. The inputs are checked up
 * front; a credentials file's own field may name something else, which is sent
 * as it is but not passed on, with a warning.
 */
function acceptedProject(project: string | undefined): string | undefined {
  if (project === undefined || hasShape('project', project)) return project;
  log.warn(`Not passing on the project "${untrusted(project, 80)}" of the credentials to outputs and variables: it is not a project ID. Set the inputs project_id and quota_project_id.`);
  return undefined;
}

/** The principal, where it is of a shape fit for an output and a variable (an email, an identifier); otherwise left out, with a warning. */
function acceptedPrincipal(principal: string | undefined): string | undefined {
  if (principal === undefined || hasShape('principal', principal)) return principal;
  log.warn(`Not naming the principal: "${untrusted(principal, 80)}" is neither an email nor an identifier of the usual characters.`);
  return undefined;
}

/** The verification, or its error after the output verified is set to false, for steps that continue on error. */
async function verified(request: VerifyRequest, context: GoogleContext): Promise<Verification> {
  try {
    return await verifyAccess(request, context);
  } catch (error) {
    core.setOutput('verified', 'false');
    throw error;
  }
}
