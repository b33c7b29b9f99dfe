import { randomHex } from '../lazy-crypto.ts';

/** Only files and folders named like ours are ever removed, whatever the state says. */
export const OWNED_NAME = /^gemini-auth-[0-9a-f]+(\.json)?$/;

/** A fresh name that OWNED_NAME matches, so the post step may remove what carries it. */
export function ownedName(extension: '' | '.json' = ''): string {
  return `gemini-auth-${randomHex(12)}${extension}`;
}
