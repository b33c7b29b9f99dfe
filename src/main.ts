import * as core from './runner.ts';
import { withCommonFields } from './adc-file.ts';
import { credentialsDirectory, isInsideWorkspace, writeSecretJson } from './credentials-file.ts';
import { resolveEndpoints } from './endpoints.ts';
import { failureMessage } from './errors.ts';
import { environmentInputReader, readInputs } from './inputs.ts';
import { describeRun, exportEnvironment, setOutputs, writeSummary, type RunResult } from './report.ts';
import { maskRawInput } from './secrets.ts';
import { resolveSource } from './source.ts';
import { STATE_CLEANUP_PATHS } from './state.ts';
import { verifyAccess } from './verify.ts';

async function run(): Promise<void> {
  // Mask the raw secret inputs before anything parses, validates or logs them.
  const read = environmentInputReader();
  maskRawInput(read('credentials_json'), core.setSecret);
  maskRawInput(read('cache_encryption_key'), core.setSecret);

  const inputs = readInputs(read);
  if (inputs.verifyModel && !inputs.verify) core.warning('verify_model is set but verify is false, so no model is checked. Set verify: true to check it.');
  const source = resolveSource(inputs, core.setSecret, core.info);
  const endpoints = resolveEndpoints(inputs.universe, inputs.endpoints);
  const http = { retries: inputs.retries, requestTimeoutMs: inputs.requestTimeoutMs, deadline: Date.now() + inputs.timeoutMs, debug: core.debug };
  core.info(`Using ${source.description}.`);

  const token = await source.mint({ endpoints, http, mask: core.setSecret });
  const projectId = inputs.projectId || source.projectId;
  const quotaProjectId = inputs.quotaProjectId || source.quotaProjectId || projectId;

  let credentialsFilePath: string | undefined;
  if (inputs.createCredentialsFile) {
    const dir = credentialsDirectory(inputs.credentialsFileDir);
    if (isInsideWorkspace(dir)) {
      core.warning(`The credentials file goes into ${dir}, inside the workspace, where an upload-artifact, cache or docker build step could pick it up. Leave credentials_file_dir unset (it defaults to $RUNNER_TEMP), or keep the file out: add gemini-auth-*.json to .gitignore and .dockerignore, and a line !**/gemini-auth-*.json to the path of upload-artifact and cache steps.`);
    }
    const settings = { endpoints, quotaProjectId, universe: inputs.universe };
    credentialsFilePath = writeSecretJson(dir, withCommonFields(source.credentialsFile(settings), settings));
    core.saveState(STATE_CLEANUP_PATHS, JSON.stringify([credentialsFilePath]));
  }

  const verification = inputs.verify
    ? await verifyAccess({ accessToken: token.accessToken, authType: source.authType, quotaProjectId, verifyModel: inputs.verifyModel, endpoints, http, warn: core.warning })
    : undefined;

  const result: RunResult = {
    authType: source.authType,
    token,
    principal: verification?.tokenInfo?.email ?? token.principal ?? verification?.tokenInfo?.subject,
    projectId,
    quotaProjectId,
    credentialsFilePath,
    cacheHit: false,
    verification,
  };
  setOutputs(result);
  if (inputs.exportEnvironmentVariables) exportEnvironment(result);
  for (const [label, value] of describeRun(result)) core.info(`${label}: ${value}`);
  writeSummary(result);
}

run().catch((error: unknown) => core.setFailed(failureMessage(error)));
