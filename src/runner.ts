/**
 * The runner's protocol, spoken directly: workflow commands on stdout
 * (`::add-mask::`, `::debug::`, `::warning::`, `::error::`, groups) and file
 * commands (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE, GITHUB_PATH,
 * GITHUB_STEP_SUMMARY), with the same escaping and heredoc format as
 * @actions/core. That package costs about 45 ms to load (its OIDC client pulls
 * in an HTTP stack), three times a bare Node start; this module costs nothing.
 */
import { randomHex } from './lazy-crypto.ts';
import { appendFileSync, writeSync } from 'node:fs';
import { EOL } from 'node:os';

/**
 * A file descriptor, written synchronously: 1 (stdout) or 2 (stderr). Not
 * process.stdout: setting up that stream over the runner's pipe costs about
 * 2 ms, and synchronous writes keep every line in order anyway.
 */
export type Output = 1 | 2;

export function write(output: Output, text: string): void {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; ) {
    try {
      offset += writeSync(output, bytes, offset);
    } catch (error) {
      // A pipe another module made non-blocking can be full for a moment: try again.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::name key=value::message`, escaped as the runner expects. */
export function command(name: string, message: string, properties: Record<string, string> = {}, output: Output = 1): void {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',');
  write(output, `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`);
}

export function setSecret(value: string, output: Output = 1): void {
  if (value !== '') command('add-mask', value, {}, output);
}

export function info(message: string): void {
  write(1, `${message}${EOL}`);
}

export function debug(message: string): void {
  command('debug', message);
}

export function warning(message: string): void {
  command('warning', message);
}

export function startGroup(name: string): void {
  command('group', name);
}

export function endGroup(): void {
  command('endgroup', '');
}

/** One `::error::` line and exit code 1, the way a failed step reports. */
export function setFailed(message: string, output: Output = 1): void {
  process.exitCode = 1;
  command('error', message, {}, output);
}

/** `name<<delimiter` blocks, so values may hold new lines; without the file (outside a runner) nothing is kept. */
function appendKeyValue(variable: 'GITHUB_OUTPUT' | 'GITHUB_ENV' | 'GITHUB_STATE', name: string, value: string): void {
  const file = process.env[variable];
  if (!file) return;
  const delimiter = `ghadelimiter_${randomHex(16)}`;
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error(`A ${variable} value may not contain its delimiter.`);
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
}

export function setOutput(name: string, value: string): void {
  appendKeyValue('GITHUB_OUTPUT', name, value);
}

export function exportVariable(name: string, value: string): void {
  process.env[name] = value;
  appendKeyValue('GITHUB_ENV', name, value);
}

export function saveState(name: string, value: string): void {
  appendKeyValue('GITHUB_STATE', name, value);
}

export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? '';
}

export function addPath(dir: string): void {
  if (process.env.GITHUB_PATH) appendFileSync(process.env.GITHUB_PATH, `${dir}${EOL}`, 'utf8');
  process.env.PATH = `${dir}:${process.env.PATH ?? ''}`;
}

/** Appends markdown to the job summary; a no-op outside a runner. */
export function appendSummary(markdown: string): void {
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}${EOL}`, 'utf8');
}
