// cache: true — tokens shared across jobs and runs through the Actions cache,
// encrypted so that only holders of the same credentials can read them.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheBinding } from '../credentials/types.ts';
import { ActionError } from '../errors.ts';
import { requireStillOurs, type Created, type FolderUse } from '../files/folders.ts';
import { writeSecretFile } from '../files/secret-file.ts';
import type { Log } from '../log.ts';
import { isoSeconds, type AccessToken, type AuthType, type MintedToken } from '../token.ts';
import { untrusted } from '../untrusted.ts';
import { cacheIdentity, open, seal, type CacheIdentity } from './crypto.ts';

/** The one file of an entry, relative to the folder it is saved from and restored into. */
const ENTRY = 'token.cache';
const MIN_KEY_CHARACTERS = 16;
const KEY_HOWTO = 'Create a random key with `openssl rand -base64 32 | gh secret set GEMINI_AUTH_CACHE_KEY` and pass cache_encryption_key: ${{ secrets.GEMINI_AUTH_CACHE_KEY }}';

export interface TokenCache {
  /** A cached token that lives at least min_token_lifetime more, or undefined: never an error. */
  restore(): Promise<MintedToken | undefined>;
  /** Saves a freshly minted token; a failure is a warning at most. */
  save(token: MintedToken): Promise<void>;
}

/**
 * The identity of this run's cached tokens, from the credentials' own secrets and
 * cache_encryption_key. Refuses, before any request, credentials with no secret
 * (workload identity): their tokens would be open to anyone who can read the cache.
 * `facts` are the run's own (endpoints, quota project).
 */
export function tokenCacheIdentity(binding: CacheBinding, authType: AuthType, encryptionKey: string, facts: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv = process.env): CacheIdentity {
  if (encryptionKey && encryptionKey.length < MIN_KEY_CHARACTERS) {
    throw new ActionError(`The input cache_encryption_key is shorter than ${MIN_KEY_CHARACTERS} characters: a key that short could be guessed from the cache entries anyone in the repository can read.`, `${KEY_HOWTO}.`);
  }
  if (binding.secrets.length === 0 && !encryptionKey) {
    throw new ActionError(
      `The token cache needs the input cache_encryption_key with ${authType === 'workload_identity' ? 'workload identity' : `${authType} credentials`}: these credentials hold no secret to encrypt cached tokens with, and pull requests from forks can read the base branch's cache.`,
      `${KEY_HOWTO}, or leave cache unset.`,
    );
  }
  // A token that follows from the job's OIDC claims (repository, ref, workflow, event) must not serve a job the provider's attribute condition may refuse.
  const job = binding.followsJobIdentity ? { job: [env.GITHUB_REPOSITORY, env.GITHUB_REF, env.GITHUB_WORKFLOW_REF, env.GITHUB_EVENT_NAME] } : {};
  return cacheIdentity(encryptionKey ? [...binding.secrets, encryptionKey] : binding.secrets, { ...binding.facts, ...job, ...facts });
}

// @actions/cache waits minutes on a slow or hung cache service (no timeout of its own,
// five attempts with backoff), and takes no deadline. A cached token saves a second
// or so, so the cache gets a few seconds: past them, the run goes on without it.
const RESTORE_BOUND_MS = 5000;
const SAVE_BOUND_MS = 10_000;
const TIMED_OUT = Symbol('timed out');
/** The entry goes through the step's own folder (the gemini-auth-token folder). */
const CACHE_FOLDER: FolderUse = { what: 'the token cache', fix: "give the runner a RUNNER_TEMP that only the runner's user may write to" };

/** Calls into @actions/cache that have not settled, awaited or not. */
let unsettled = 0;

/** True while a call into @actions/cache this run stopped waiting for is still going: the step's entry ends the process instead of waiting for it. */
export function cacheWorkPending(): boolean {
  return unsettled > 0;
}

/** The Actions cache for tokens of `identity`, or undefined, with a warning, where this job has no cache service. */
export async function openTokenCache(identity: CacheIdentity, folder: Created, minLifetimeSeconds: number, log: Log): Promise<TokenCache | undefined> {
  let cache: typeof import('@actions/cache');
  try {
    // Megabytes with the Azure storage SDK: loaded only here, so runs without the cache never pay for it.
    cache = await import('@actions/cache');
    if (!cache.isFeatureAvailable()) {
      log.warn('cache is true, but this job has no Actions cache service (GitHub Enterprise Server without it, or a run outside GitHub Actions): minting a fresh token.');
      return undefined;
    }
  } catch (error) {
    log.warn(`Could not use the Actions cache (${describe(error)}): minting a fresh token.`);
    return undefined;
  }
  const file = join(folder.path, ENTRY);
  /** The service did not answer a restore in time: a save would not fare better. */
  let slow = false;
  return {
    async restore() {
      try {
        const key = await bounded(RESTORE_BOUND_MS, () => inFolder(folder.path, { changeDirectory: false }, () => cache.restoreCache([ENTRY], identity.prefix)));
        if (key === TIMED_OUT) {
          slow = true;
          log.warn(`The Actions cache did not answer within ${RESTORE_BOUND_MS / 1000} s: minting a fresh token, and not saving it to the cache.`);
          return undefined;
        }
        if (key === undefined) {
          log.info('No cached token for these credentials: minting a fresh one.');
          return undefined;
        }
        const token = readEntry(identity, file, minLifetimeSeconds);
        rmSync(file, { force: true });
        if (typeof token === 'string') {
          log.debug(`Ignoring the cache entry ${untrusted(key, 100)}: ${token}.`);
          return undefined;
        }
        log.mask(token.accessToken);
        log.info(`Reusing the cached token, valid until ${isoSeconds(token.expiresAt)}.`);
        return token;
      } catch (error) {
        rmSync(file, { force: true });
        log.warn(`Could not read the token cache (${describe(error)}): minting a fresh token.`);
        return undefined;
      }
    },
    async save(token) {
      if (slow) return;
      const left = secondsLeft(token);
      if (left < minLifetimeSeconds) {
        log.info(`Not caching the token: it lives ${left}s, less than min_token_lifetime (${minLifetimeSeconds}s), so no job like this one could reuse it.`);
        return;
      }
      const key = `${identity.prefix}${Math.floor(token.expiresAt.getTime() / 1000)}`;
      try {
        const { accessToken, expiresAt, principal, member, scopes } = token;
        writeSecretFile(join(requireStillOurs(folder, CACHE_FOLDER), ENTRY), seal(identity, JSON.stringify({ access_token: accessToken, expires_at: expiresAt.getTime(), principal, member, scopes })));
        // @actions/cache logs its own failures (a denied write, the service down) as info or warning, and returns -1.
        const id = await bounded(SAVE_BOUND_MS, () => inFolder(folder.path, { changeDirectory: true }, () => cache.saveCache([ENTRY], key)));
        if (id === TIMED_OUT) {
          log.warn(`The Actions cache did not take the token within ${SAVE_BOUND_MS / 1000} s: the step ends without waiting for it.`);
          return;
        }
        if (id !== -1) log.info(`Saved the token to the Actions cache, encrypted, as ${key}.`);
        rmSync(file, { force: true });
      } catch (error) {
        rmSync(file, { force: true });
        log.warn(`Could not save the token to the cache (${describe(error)}).`);
      }
    },
  };
}

/** What `work` gives within `ms`, or TIMED_OUT; the work goes on unwatched (cacheWorkPending says so). */
async function bounded<T>(ms: number, work: () => Promise<T>): Promise<T | typeof TIMED_OUT> {
  unsettled++;
  const running = work().finally(() => unsettled--);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([running, new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)))]);
  } finally {
    clearTimeout(timer);
    // A failure after the bound is the library's to log; it must not become an unhandled rejection.
    running.catch(() => {});
  }
}

/** The entry's token, or why it is not used: nothing that fails to authenticate, has expired or is too short-lived. */
function readEntry(identity: CacheIdentity, file: string, minLifetimeSeconds: number): MintedToken | string {
  let plaintext: string | undefined;
  try {
    plaintext = open(identity, readFileSync(file));
  } catch {
    return 'it holds no token';
  }
  if (plaintext === undefined) return 'it does not decrypt with these credentials (another key wrote it, or it was altered)';
  const token = parseEntry(plaintext);
  if (!token) return 'its content is malformed';
  const left = secondsLeft(token);
  if (left < minLifetimeSeconds) return left <= 0 ? 'its token has expired' : `its token expires in ${left}s, sooner than min_token_lifetime (${minLifetimeSeconds}s)`;
  return token;
}

function secondsLeft(token: AccessToken): number {
  return Math.floor((token.expiresAt.getTime() - Date.now()) / 1000);
}

function parseEntry(text: string): MintedToken | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { access_token: accessToken, expires_at: expiresAt, principal, member, scopes } = value;
  if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresAt !== 'number') return undefined;
  return {
    accessToken,
    expiresAt: new Date(expiresAt),
    principal: typeof principal === 'string' ? principal : undefined,
    member: typeof member === 'string' ? member : undefined,
    scopes: Array.isArray(scopes) && scopes.every((scope) => typeof scope === 'string') ? scopes : undefined,
  };
}

/**
 * @actions/cache versions an entry by the path strings it is given and archives
 * them relative to the workspace. A relative path inside our own folder gives
 * every job the same version, wherever its RUNNER_TEMP is, and restores there.
 * The library reads GITHUB_WORKSPACE (and, to save, the working directory) until
 * its promise settles, so they are put back only then, even when the run stopped
 * waiting: nothing of the run reads them after the cache had its turn. A restore
 * needs no change of directory, so the run's relative paths keep working.
 */
async function inFolder<T>(folder: string, options: { changeDirectory: boolean }, action: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  const workspace = process.env.GITHUB_WORKSPACE;
  if (options.changeDirectory) process.chdir(folder);
  process.env.GITHUB_WORKSPACE = folder;
  try {
    return await action();
  } finally {
    if (options.changeDirectory) process.chdir(cwd);
    if (workspace === undefined) delete process.env.GITHUB_WORKSPACE;
    else process.env.GITHUB_WORKSPACE = workspace;
  }
}

/** The library's errors quote what the cache service answered. */
function describe(error: unknown): string {
  return untrusted(error instanceof Error ? error.message : String(error), 300);
}
