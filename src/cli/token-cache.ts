// The token cache of `gemini-auth token`: one file per credentials and
// settings, mode 0600 in a folder only its owner may write to, named by a hash
// keyed with the credentials' own secrets (the name tells nothing of them).
// Read on every call, so it uses Node built-ins and small modules only.
import { statSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import { ActionError } from '../errors.ts';
import { createFolders, type FolderUse } from '../files/folders.ts';
import { readTokenFile, writeTokenFile, type StoredToken } from '../files/token-file.ts';
import { sha256Hex } from '../sha256.ts';
import type { AccessToken } from '../token.ts';

export interface CacheEntry {
  readonly folder: string;
  readonly path: string;
  /** Where parallel calls take turns to refresh this entry. */
  readonly lockPath: string;
}

/** --cache-dir, else $XDG_CACHE_HOME/gemini-auth (~/.cache/gemini-auth), on Windows %LOCALAPPDATA%\gemini-auth. */
export function cacheFolder(option: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  // The path rules of `platform`, so that the decision is the same on any machine.
  const paths = platform === 'win32' ? win32 : posix;
  if (option) return paths.resolve(option);
  const home = (): string => env.HOME || process.getBuiltinModule('node:os').homedir();
  if (platform === 'win32') return paths.join(env.LOCALAPPDATA || paths.join(home(), 'AppData', 'Local'), 'gemini-auth');
  // The XDG spec ignores a relative XDG_CACHE_HOME.
  const xdg = env.XDG_CACHE_HOME;
  return paths.join(xdg && paths.isAbsolute(xdg) ? xdg : paths.join(home(), '.cache'), 'gemini-auth');
}

/**
 * The entry of a token, named by a hash of `secrets`, what only holders of the
 * credentials know, and `facts`, everything that decides the token
 * (credentials, scopes, service account, endpoints, ...): different
 * credentials or settings never share an entry, and without the secrets the
 * name tells nothing, not even the facts. (SHA-256 in JavaScript: node:crypto
 * would cost a cached call more than everything else it does.)
 */
export function cacheEntry(folder: string, secrets: readonly string[], facts: Readonly<Record<string, unknown>>): CacheEntry {
  const id = sha256Hex(JSON.stringify({ secrets, facts })).slice(0, 40);
  return { folder, path: join(folder, `${id}.json`), lockPath: join(folder, `${id}.lock`) };
}

/** The cached token if it lives at least `minLifetimeSeconds` more; undefined for none, a broken file, or one not private to us. */
export function readCachedToken(entry: CacheEntry, minLifetimeSeconds: number): StoredToken | undefined {
  if (!isPrivateFile(entry.path)) return undefined;
  const token = readTokenFile(entry.path);
  return token && token.expiresAt.getTime() - Date.now() >= minLifetimeSeconds * 1000 ? token : undefined;
}

/** Replaces the entry's token whole: a reader sees the old token or the new one. */
export function writeCachedToken(entry: CacheEntry, token: AccessToken, details: Readonly<Record<string, string | undefined>>): void {
  writeTokenFile(entry.path, token, details);
}

const CACHE_FOLDER: FolderUse = { what: 'the token cache', fix: 'pass --cache-dir a folder of your own (or set GEMINI_AUTH_CACHE_DIR)' };
const FOLDER_FIX = 'Pass --cache-dir a folder of your own (or set GEMINI_AUTH_CACHE_DIR).';

/**
 * Creates the folder (0700) if needed, with the checks of every folder secrets
 * go into, and refuses one that another user owns or may write to: they could
 * plant tokens of their own in it.
 */
export function prepareCacheFolder(folder: string): void {
  createFolders(folder, CACHE_FOLDER);
  // Windows has no such bits; its per-user folders are private.
  if (process.platform === 'win32') return;
  const stats = statSync(folder);
  if (stats.uid !== process.getuid?.()) throw new ActionError(`The token cache folder ${folder} belongs to another user.`, FOLDER_FIX);
  if ((stats.mode & 0o022) !== 0) {
    throw new ActionError(`The token cache folder ${folder} may be written by other users (mode ${(stats.mode & 0o777).toString(8)}): they could plant tokens of their own in it.`, `Run \`chmod go-w ${folder}\`, or ${FOLDER_FIX.charAt(0).toLowerCase()}${FOLDER_FIX.slice(1)}`);
  }
}

/** A file only we can read and write, as this module writes them; anything else is ignored. */
function isPrivateFile(path: string): boolean {
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return false;
    return process.platform === 'win32' || (stats.uid === process.getuid?.() && (stats.mode & 0o077) === 0);
  } catch {
    return false;
  }
}
