// The main step: authenticate, write what later steps need, report.
import * as core from '@actions/core';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTokenCache, tokenCacheIdentity } from '../cache/actions-cache.ts';
import { withCommonFields } from '../credentials/adc-file.ts';
import { githubOidcSupplier } from '../credentials/github-oidc.ts';
import { maskRawInput } from '../credentials/registry.ts';
import { resolveSource } from '../credentials/resolve.ts';
import { failureMessage } from '../errors.ts';
import { created, createFolders, requireStillOurs } from '../files/folders.ts';
import { credentialsDirectory, CREDENTIALS_FOLDER, isInsideWorkspace, runnerTemp, writeSecretJson } from '../files/secret-file.ts';
import { httpPolicy } from '../google/http.ts';
import { authSettings } from '../settings.ts';
import { hasShape, logLine } from '../untrusted.ts';
import { verifyAccess } from '../verify.ts';
import { own } from './cleanup-state.ts';
import { readActionInputs } from './inputs.ts';
import { runnerLog as log } from './log.ts';
import { describeRun, exportEnvironment, setOutputs, shortLifetimeWarning, writeSummary, type RunResult } from './report.ts';
import { createTokenFolder, installTokenCommand, TOKEN_FOLDER } from './token-folder.ts';

/** The token command's bundle, beside this step's own in dist/. */
const TOKEN_COMMAND_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'token', 'index.js');

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
  if (inputs.verifyModel && !inputs.verify) log.warn('verify_model is set but verify is false, so no model is checked. Set verify: true to check it.');
  const settings = authSettings(inputs);
  const { endpoints } = settings;
  const source = resolveSource(settings, () => githubOidcSupplier(process.env, log));
  const projectId = inputs.projectId || source.projectId;
  const quotaProjectId = inputs.quotaProjectId || source.quotaProjectId || projectId;
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
  core.addPath(installTokenCommand(folder, inputs, refreshFrom, token, process.execPath, TOKEN_COMMAND_SCRIPT));

  const verification = inputs.verify ? await verifyAccess({ accessToken: token.accessToken, authType: source.authType, quotaProjectId, verifyModel: inputs.verifyModel }, context) : undefined;

  core.endGroup();

  const result: RunResult = {
    authType: source.authType,
    token,
    principal: acceptedPrincipal(verification?.tokenInfo?.email ?? token.principal ?? verification?.tokenInfo?.subject),
    projectId,
    quotaProjectId,
    credentialsFilePath,
    cacheHit: cached !== undefined,
    verification,
  };
  setOutputs(result);
  if (inputs.exportEnvironmentVariables) exportEnvironment(result);
  for (const [label, value] of describeRun(result)) log.info(`${label}: ${value}`);
  const shortLived = shortLifetimeWarning(token.expiresAt, inputs.minTokenLifetimeSeconds, source.authType, inputs.serviceAccount !== '');
  if (shortLived) log.warn(shortLived);
  await writeSummary(result);
  // After the outputs: a slow cache delays nothing later steps need.
  if (cache && !cached) await cache.save(token);
}

/** The principal, where it is of a shape fit for an output and a variable (an email, an identifier); otherwise left out, with a warning. */
function acceptedPrincipal(principal: string | undefined): string | undefined {
  if (principal === undefined || hasShape('principal', principal)) return principal;
  log.warn(`Not naming the principal: "${principal}" is neither an email nor an identifier of the usual characters.`);
  return undefined;
}
