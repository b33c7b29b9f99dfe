import { decodeCredentialsJson, secretValues } from './credentials-json.ts';

/**
 * Registers secrets with the runner's log masking. A secret can reach a log in
 * more than one form, so each form is registered: the value, each line of a
 * multi-line value (the runner matches line by line), and its JSON-escaped and
 * URL-encoded spellings.
 */
export type MaskRegistrar = (value: string) => void;

const MIN_LINE_LENGTH = 8;

export function maskSecret(value: string, register: MaskRegistrar): void {
  const forms = new Set<string>();
  const add = (form: string): void => {
    if (form.trim().length >= MIN_LINE_LENGTH || (form === value && form.trim() !== '')) forms.add(form);
  };
  add(value);
  add(value.trim());
  const lines = value.split(/\r?\n/).map((line) => line.trim());
  if (lines.length > 1) {
    // PEM armour lines are public boilerplate; masking them would only garble unrelated logs.
    for (const line of lines) if (!line.startsWith('-----')) add(line);
  }
  add(JSON.stringify(value).slice(1, -1));
  add(encodeURIComponent(value));
  for (const form of forms) register(form);
}

/**
 * Masks a raw secret input before it is parsed: the whole value, each line
 * long enough to be secret (short lines of a JSON file are braces and keys),
 * and, where it holds a credentials JSON (raw or base64, valid or not), each
 * secret value in it with all its forms.
 */
export function maskRawInput(text: string, register: MaskRegistrar): void {
  if (text.trim() === '') return;
  register(text.trim());
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  if (lines.length > 1) {
    for (const line of lines) if (line.length >= 24 && !line.startsWith('-----')) register(line);
  }
  for (const secret of secretValues(decodeCredentialsJson(text))) maskSecret(secret, register);
}
