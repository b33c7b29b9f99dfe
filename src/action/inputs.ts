import * as core from '@actions/core';
import { ActionError } from '../errors.ts';
import { readInputs, type InputName, type Inputs } from '../inputs.ts';
import { untrusted } from '../untrusted.ts';

/** The step's inputs as the runner passes them, with action.yml's defaults where they are unset (as outside a runner). */
export function readActionInputs(): Inputs {
  return readInputs((name) => core.getInput(name), readBooleanInput);
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
