// `gemini-auth login --format github`: the variables for later steps of a
// GitHub Actions job, through the toolkit's own file command (the runner reads
// $GITHUB_ENV after the step). Loaded only for this format.
import * as core from '@actions/core';
import { ActionError } from '../errors.ts';

export function exportToGitHub(variables: readonly (readonly [string, string])[], env: NodeJS.ProcessEnv): void {
  // Without GITHUB_ENV the toolkit would fall back to the set-env command, which runners refuse.
  if (!env.GITHUB_ENV) {
    throw new ActionError('--format github needs GITHUB_ENV, which only a step of a GitHub Actions job has.', 'Use --format shell, dotenv or json outside GitHub Actions.');
  }
  for (const [name, value] of variables) core.exportVariable(name, value);
}
