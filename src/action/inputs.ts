import * as core from '@actions/core';
import { ActionError } from '../errors.ts';
import { readInputs, type InputName, type Inputs } from '../inputs.ts';
import { untrusted } from '../untrusted.ts';

/** Inputs of one value a line (endpoints) or a line or comma (scopes, delegates): the toolkit drops blank lines and trims each. */
const MULTILINE: ReadonlySet<InputName> = new Set(['endpoints', 'scopes', 'access_token_scopes', 'delegates']);

/** The step's inputs as the runner passes them, with action.yml's defaults where they are unset (as outside a runner). */
export function readActionInputs(): Inputs {
  return readInputs((name) => (MULTILINE.has(name) ? core.getMultilineInput(name).join('\n') : core.getInput(name)), readBooleanInput);
}

/** YAML 1.2's true/false, as the toolkit reads them; a default is already one of those words. */
function readBooleanInput(name: InputName, text: string): boolean {
  if (core.getInput(name) === '') return text === 'true';
  try {
    return core.getBooleanInput(name);
  } catch {
    throw new ActionError(`The input ${name} must be true or false, not "${untrusted(core.getInput(name), 40)}".`, `Set ${name}: true or ${name}: false.`);
  }
}
