/** Names of the values the main step hands to the post step through GITHUB_STATE. */
export const STATE_CLEANUP_PATHS = 'cleanup_paths';

/** Only files and folders named like ours are ever removed, whatever the state says. */
export const OWNED_NAME = /^gemini-auth-[0-9a-f]+(\.json)?$/;

/** A fresh name that OWNED_NAME matches, so the post step may remove what carries it. */
export function ownedName(extension: '' | '.json' = ''): string {
  return `gemini-auth-${randomHex(12)}${extension}`;
}

/**
 * Random hex from node:crypto, loaded on first use: importing it up front costs
 * about 3 ms, which the post step and the token command's fast path never need.
 */
export function randomHex(bytes: number): string {
  return process.getBuiltinModule('node:crypto').randomBytes(bytes).toString('hex');
}
