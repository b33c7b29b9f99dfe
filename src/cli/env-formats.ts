// `gemini-auth login --format`: the variables to export, written so that every
// value stays one value, whatever it holds (a path with spaces or quotes).
import { ActionError } from '../errors.ts';
import type { InputNaming } from '../inputs.ts';

const FORMATS = ['shell', 'dotenv', 'json', 'github'] as const;
export type Format = (typeof FORMATS)[number];

/** `naming` names --format as the user gave it (the option or its variable). */
export function parseFormat(text: string, naming: InputNaming): Format {
  const format = text.trim().toLowerCase();
  if ((FORMATS as readonly string[]).includes(format)) return format as Format;
  throw new ActionError(`The ${naming.input('format')} must be shell, dotenv, json or github, not "${text.trim().slice(0, 40)}".`, `Set ${naming.setting('format', 'shell')} (the default) for \`eval "$(gemini-auth login)"\`, dotenv for an .env file, json for other programs, or github inside a GitHub Actions step.`);
}

/** The lines to print for `format` (all but github, which writes $GITHUB_ENV). */
export function formatVariables(format: Exclude<Format, 'github'>, variables: readonly (readonly [string, string])[]): string {
  if (format === 'json') return `${JSON.stringify(Object.fromEntries(variables))}\n`;
  const quote = format === 'shell' ? shellQuote : dotenvQuote;
  return variables.map(([name, value]) => `${format === 'shell' ? 'export ' : ''}${name}=${quote(name, value)}\n`).join('');
}

/** POSIX shells: inside single quotes nothing is special; a quote closes, is escaped, and reopens. */
function shellQuote(_name: string, value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Dotenv readers (Node's --env-file and util.parseEnv, the dotenv package)
 * have no escapes: single quotes and backticks keep their content as it is,
 * and double quotes turn `\n` into a new line. The first that can hold the
 * value whole is used.
 */
function dotenvQuote(name: string, value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('`')) return `\`${value}\``;
  if (!value.includes('"') && !/\\[nr]/.test(value)) return `"${value}"`;
  throw new ActionError(`The value of ${name} cannot be written for a dotenv reader: it holds a single quote, a backtick and a double quote (or a backslash before n or r).`, 'Use --format shell or json, or a --credentials-file-dir whose path has no quotes.');
}
