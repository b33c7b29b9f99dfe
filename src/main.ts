import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from './runner.ts';
import { withCommonFields } from './adc-file.ts';
import { credentialsDirectory, isInsideWorkspace, runnerTemp, writeSecretJson } from './credentials-file.ts';
import { resolveEndpoints } from './endpoints.ts';
import { failureMessage } from './errors.ts';
import { httpPolicy } from './http.ts';
import { environmentInputReader, readInputs } from './inputs.ts';
import { describeRun, exportEnvironment, setOutputs, shortLifetimeWarning, writeSummary, type RunResult } from './report.ts';
import { maskRawInput } from './secrets.ts';
import { resolveSource } from './source.ts';
import { STATE_CLEANUP_PATHS } from './state.ts';
import { openTokenCache, tokenCacheIdentity } from './token-cache.ts';
import { createTokenFolder, installTokenCommand } from './token-folder.ts';
import { verifyAccess } from './verify.ts';

/** The token command's bundle, beside this step's own in dist/. */
const TOKEN_COMMAND_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'token', 'index.js');

async function run(): Promise<void> {
  // Mask the raw secret inputs before anything parses, validates or logs them.
  const read = environmentInputReader();
  maskRawInput(read('credentials_json'), core.setSecret);
  maskRawInput(read('cache_encryption_key'), core.setSecret);

  const inputs = readInputs(read);
  if (inputs.verifyModel && !inputs.verify) core.warning('verify_model is set but verify is false, so no model is checked. Set verify: true to check it.');
  const source = resolveSource(inputs, core.setSecret, core.info);
  const endpoints = resolveEndpoints(inputs.universe, inputs.endpoints);
  const projectId = inputs.projectId || source.projectId;
  const quotaProjectId = inputs.quotaProjectId || source.quotaProjectId || projectId;
  const cacheIdentity = inputs.cache ? tokenCacheIdentity(source.cacheBinding, source.authType, inputs.cacheEncryptionKey, { endpoints: endpoints.base, quotaProjectId }) : undefined;
  core.startGroup(`Authenticating with ${source.description}`);

  const http = httpPolicy(inputs, core.debug);
  const folder = own(createTokenFolder(runnerTemp()));
  const cache = cacheIdentity ? await openTokenCache(cacheIdentity, folder, inputs.minTokenLifetimeSeconds) : undefined;
  const cached = await cache?.restore();
  const token = cached ?? (await source.mint({ endpoints, http, mask: core.setSecret }));
  if (!cached) core.info(`Minted a new access token${token.principal ? ` for ${token.principal}` : ''}.`);

  const settings = { endpoints, quotaProjectId, universe: inputs.universe };
  const credentials = withCommonFields(source.credentialsFile(settings), settings);
  let credentialsFilePath: string | undefined;
  if (inputs.createCredentialsFile) {
    const dir = credentialsDirectory(inputs.credentialsFileDir);
    if (isInsideWorkspace(dir)) {
      core.warning(`The credentials file goes into ${dir}, inside the workspace, where an upload-artifact, cache or docker build step could pick it up. Leave credentials_file_dir unset (it defaults to $RUNNER_TEMP), or keep the file out: add gemini-auth-*.json to .gitignore and .dockerignore, and a line !**/gemini-auth-*.json to the path of upload-artifact and cache steps.`);
    }
    credentialsFilePath = own(writeSecretJson(dir, credentials));
    core.info(`Wrote the credentials file ${credentialsFilePath} (mode 0600; the post step removes it).`);
  }
  // gemini-auth-token refreshes from the ADC file; without one, from a copy in its own folder.
  const refreshFrom = credentialsFilePath ?? writeSecretJson(folder, credentials);
  core.addPath(installTokenCommand(folder, inputs, refreshFrom, token, process.execPath, TOKEN_COMMAND_SCRIPT));

  const verification = inputs.verify
    ? await verifyAccess({ accessToken: token.accessToken, authType: source.authType, quotaProjectId, verifyModel: inputs.verifyModel, endpoints, http, warn: core.warning })
    : undefined;

  core.endGroup();

  const result: RunResult = {
    authType: source.authType,
    token,
    principal: verification?.tokenInfo?.email ?? token.principal ?? verification?.tokenInfo?.subject,
    projectId,
    quotaProjectId,
    credentialsFilePath,
    cacheHit: cached !== undefined,
    verification,
  };
  setOutputs(result);
  if (inputs.exportEnvironmentVariables) exportEnvironment(result);
  for (const [label, value] of describeRun(result)) core.info(`${label}: ${value}`);
  const shortLived = shortLifetimeWarning(token.expiresAt, inputs.minTokenLifetimeSeconds, source.authType, inputs.serviceAccount !== '');
  if (shortLived) core.warning(shortLived);
  writeSummary(result);
  if (cache && !cached) await cache.save(token);
}

const owned: string[] = [];

/** Hands `path` to the post step for removal, at once, so that a failure later on leaves nothing behind. */
function own(path: string): string {
  owned.push(path);
  core.saveState(STATE_CLEANUP_PATHS, JSON.stringify(owned));
  return path;
}

run().catch((error: unknown) => {
  core.endGroup();
  core.setFailed(failureMessage(error));
});
