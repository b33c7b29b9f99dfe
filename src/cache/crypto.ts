// Cached tokens sit in the Actions cache, which every job of the repository can read, and
// so can pull requests from forks for the base branch's entries. An entry is readable only
// with the secret its credentials hold, and its key reveals nothing of the identity.
import { nodeCrypto } from '../lazy-crypto.ts';

const FORMAT = 1;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + SALT_BYTES + IV_BYTES + TAG_BYTES;

/** Where the entries of one identity live, and the secret that opens them. */
export interface CacheIdentity {
  /** `gemini-auth-v1-<keyed hash>-`: entries are named by it and the expiry. */
  readonly prefix: string;
  readonly id: string;
  readonly material: Buffer;
}

/**
 * `secrets`: what only holders of the credentials know. `facts`: everything that
 * decides the token (type, scopes, service account, delegates, lifetime,
 * endpoints, quota project). The id is keyed by the secrets, so without them it
 * says nothing of the facts.
 */
export function cacheIdentity(secrets: readonly string[], facts: unknown): CacheIdentity {
  const material = Buffer.from(JSON.stringify(secrets));
  const id = nodeCrypto().createHmac('sha256', derive(material, Buffer.alloc(0), 'gemini-auth cache id')).update(JSON.stringify(facts)).digest('hex').slice(0, 40);
  return { prefix: `gemini-auth-v1-${id}-`, id, material };
}

/** AES-256-GCM under a key of its own (HKDF with a fresh salt), bound to the identity's id. */
export function seal(identity: CacheIdentity, plaintext: string): Buffer {
  const salt = nodeCrypto().randomBytes(SALT_BYTES);
  const iv = nodeCrypto().randomBytes(IV_BYTES);
  const cipher = nodeCrypto().createCipheriv('aes-256-gcm', derive(identity.material, salt, `gemini-auth cache entry ${identity.id}`), iv).setAAD(Buffer.from(identity.id));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT]), salt, iv, cipher.getAuthTag(), ciphertext]);
}

/** The plaintext, or undefined for anything that is not an entry of this identity, whole and unaltered. */
export function open(identity: CacheIdentity, entry: Buffer): string | undefined {
  if (entry.length < HEADER_BYTES || entry[0] !== FORMAT) return undefined;
  const salt = entry.subarray(1, 1 + SALT_BYTES);
  const iv = entry.subarray(1 + SALT_BYTES, 1 + SALT_BYTES + IV_BYTES);
  const tag = entry.subarray(1 + SALT_BYTES + IV_BYTES, HEADER_BYTES);
  try {
    const decipher = nodeCrypto().createDecipheriv('aes-256-gcm', derive(identity.material, salt, `gemini-auth cache entry ${identity.id}`), iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(identity.id)).setAuthTag(tag);
    return Buffer.concat([decipher.update(entry.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function derive(material: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(nodeCrypto().hkdfSync('sha256', material, salt, info, 32));
}
